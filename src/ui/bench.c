/* ui/bench: timings for the benchmarks, off unless EBB_BENCH_LOG names a file:
 * time to the first painted inbox and, per key, from reading it to the paint. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui_internal.h"

/* Keys read but not yet painted; more in one burst are dropped. */
#define BENCH_PENDING_MAX 64

static struct {
	int fd;                     /* -1: off */
	int exit_after_paint;
	int painted;
	long long t0_ns;
	size_t npending;
	int pending_key[BENCH_PENDING_MAX];
	long long pending_ns[BENCH_PENDING_MAX];
} g_bench = { .fd = -1 };

static long long monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Runs before main, so without EBB_BENCH_T0 the first paint is still
 * measured from the start of the process rather than from ui_run. */
__attribute__((constructor)) static void bench_process_start(void)
{
	g_bench.t0_ns = monotonic_ns();
}

void ui_bench_init(void)
{
	const char *path = getenv("EBB_BENCH_LOG");
	if (!path || !path[0])
		return;
	const char *t0 = getenv("EBB_BENCH_T0");
	if (t0 && t0[0]) {
		char *end;
		long long v = strtoll(t0, &end, 10);
		if (*end == '\0' && v > 0)
			g_bench.t0_ns = v;
	}
	const char *exit_env = getenv("EBB_BENCH_EXIT");
	g_bench.exit_after_paint = exit_env && !strcmp(exit_env, "1");
	g_bench.fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

void ui_bench_end(void)
{
	if (g_bench.fd >= 0)
		close(g_bench.fd);
	g_bench.fd = -1;
}

/* "NAME US" as one write, so a reader never sees half a line. */
static void bench_line(const char *name, long long us)
{
	char line[96];
	int len = snprintf(line, sizeof(line), "%s %lld\n", name, us);
	if (len > 0 && (size_t)len < sizeof(line)) {
		ssize_t w = write(g_bench.fd, line, (size_t)len);
		(void)w;   /* a lost timing is not worth disturbing the screen */
	}
}

void ui_bench_key(int key)
{
	if (g_bench.fd < 0 || g_bench.npending == BENCH_PENDING_MAX)
		return;
	g_bench.pending_key[g_bench.npending] = key;
	g_bench.pending_ns[g_bench.npending] = monotonic_ns();
	g_bench.npending++;
}

static void bench_key_name(int key, char *out, size_t outlen)
{
	if (key == '\n')
		snprintf(out, outlen, "Enter");
	else if (key == 27)
		snprintf(out, outlen, "Esc");
	else if (key > ' ' && key < 0x7F)
		snprintf(out, outlen, "%c", key);
	else if (key >= UI_KEY_FN)
		snprintf(out, outlen, "%s", keyname(key - UI_KEY_FN) ? keyname(key - UI_KEY_FN) : "fn");
	else
		snprintf(out, outlen, "0x%x", (unsigned)key);
	for (char *c = out; *c; c++)   /* one word per name: the line has three */
		if (*c == ' ')
			*c = '_';
}

int ui_bench_painted(struct ui *ui)
{
	if (g_bench.fd < 0)
		return 0;
	long long now = monotonic_ns();
	if (!g_bench.painted) {
		g_bench.painted = 1;
		bench_line("first_paint_us", (now - g_bench.t0_ns) / 1000);
		if (g_bench.exit_after_paint)
			ui->quit = 1;
	}
	for (size_t i = 0; i < g_bench.npending; i++) {
		char name[40] = "key ";
		bench_key_name(g_bench.pending_key[i], name + 4, sizeof(name) - 4);
		bench_line(name, (now - g_bench.pending_ns[i]) / 1000);
	}
	g_bench.npending = 0;
	return ui->quit;
}
