# ebb — one non-recursive Makefile. Every module's sources are found by
# wildcard, so adding a file under src/<module>/ needs no edit here.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man/man1
SHAREDIR = $(PREFIX)/share/ebb

CC      ?= cc
CLANG   ?= clang
PKG_CONFIG ?= pkg-config
VERSION := 0.1.0

PKGS      = ncursesw sqlite3 libcurl libcjson gmime-3.0 inih
# Recursive (=) on purpose: evaluated when a recipe runs, i.e. after `deps`.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lpthread
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
TEST_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

OPT     ?= -O2 -g
WARN     = -Wall -Wextra -Werror -Wshadow -Wformat=2
CPPFLAGS_EBB = -Iinclude -D_GNU_SOURCE -DEBB_VERSION='"$(VERSION)"' -DEBB_SHAREDIR='"$(SHAREDIR)"'
ALL_CFLAGS = -std=c17 $(OPT) $(WARN) $(CPPFLAGS_EBB) $(PKG_CFLAGS) $(CFLAGS)
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

B = build

LIB_SRC   = $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
MAIN_SRC  = src/cli/main.c
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
FUZZ_SRC  = $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC = $(wildcard bench/*.c)

LIB_OBJ      = $(LIB_SRC:%.c=$(B)/obj/%.o)
LIB_OBJ_ASAN = $(LIB_SRC:%.c=$(B)/asan/%.o)
LIB_OBJ_FUZZ = $(LIB_SRC:%.c=$(B)/fuzz/%.o)
UNIT_BIN      = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
UNIT_BIN_ASAN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests-asan/%)
FUZZ_BIN      = $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzzers/%)
BENCH_BIN     = $(BENCH_SRC:bench/%.c=$(B)/bench/%)

.PHONY: all demo check check-fast test-bins fuzz bench deps deps-test deps-bench install uninstall clean
.DEFAULT_GOAL := all

all: ebb

ebb: $(B)/obj/$(MAIN_SRC:.c=.o) $(B)/libebb.a
	$(CC) $(OPT) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(B)/libebb.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 -MMD -MP -c -o $@ $<

$(B)/asan/libebb.a: $(LIB_OBJ_ASAN)
	rm -f $@ && ar rcs $@ $^

$(B)/tests/%: tests/unit/%.c $(B)/libebb.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests/unit -Isrc -MMD -MP -o $@ $< $(B)/libebb.a $(TEST_LIBS) $(PKG_LIBS)

$(B)/tests-asan/%: tests/unit/%.c $(B)/asan/libebb.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 $(TEST_CFLAGS) -Itests/unit -Isrc -MMD -MP -o $@ $< $(B)/asan/libebb.a $(TEST_LIBS) $(PKG_LIBS)

# libFuzzer: the library again, built by clang with coverage instrumentation.
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
$(B)/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) -std=c17 $(FUZZ_FLAGS) $(WARN) -Wno-unused-command-line-argument $(CPPFLAGS_EBB) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/fuzz/libebb.a: $(LIB_OBJ_FUZZ)
	rm -f $@ && ar rcs $@ $^

$(B)/fuzzers/%: tests/fuzz/%.c $(B)/fuzz/libebb.a
	@mkdir -p $(@D)
	$(CLANG) -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined $(WARN) $(CPPFLAGS_EBB) -Isrc $(PKG_CFLAGS) -MMD -MP -o $@ $< $(B)/fuzz/libebb.a $(PKG_LIBS)

$(B)/bench/%: bench/%.c $(B)/libebb.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(B)/libebb.a $(PKG_LIBS)

test-bins: ebb $(UNIT_BIN) $(UNIT_BIN_ASAN) $(FUZZ_BIN) $(BENCH_BIN)

# Installs missing Debian packages (as root, or through sudo), else prints
# the exact apt-get command and stops.
deps:
	@sh scripts/deps.sh build

deps-test:
	@sh scripts/deps.sh test

# The other mail clients the benchmarks compare ebb with.
deps-bench:
	@sh scripts/deps.sh bench

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

check: deps-test
	@$(MAKE) --no-print-directory -j2 test-bins
	@sh tests/run.sh

# The suites without reinstalling or rebuilding (for quick iterations).
check-fast:
	@sh tests/run.sh

fuzz: deps-test
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-300} sh tests/fuzz/run.sh

bench: deps-bench
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@sh bench/run.sh

install: ebb
	install -d -m 755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(SHAREDIR)
	install -m 755 ebb $(DESTDIR)$(BINDIR)/ebb
	install -m 644 share/ebb.1 $(DESTDIR)$(MANDIR)/ebb.1
	install -m 644 share/config.example $(DESTDIR)$(SHAREDIR)/config.example
	install -m 644 share/ebb-sync.service $(DESTDIR)$(SHAREDIR)/ebb-sync.service
	rm -rf $(DESTDIR)$(SHAREDIR)/demo
	cp -R share/demo $(DESTDIR)$(SHAREDIR)/demo
	rm -f $(DESTDIR)$(SHAREDIR)/demo/make_demo.py

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ebb $(DESTDIR)$(MANDIR)/ebb.1 $(DESTDIR)$(SHAREDIR)/config.example
	rm -f $(DESTDIR)$(SHAREDIR)/ebb-sync.service
	rm -rf $(DESTDIR)$(SHAREDIR)/demo
	-rmdir $(DESTDIR)$(SHAREDIR) 2>/dev/null

clean:
	rm -rf $(B) ebb

-include $(shell find $(B) -name '*.d' 2>/dev/null)
