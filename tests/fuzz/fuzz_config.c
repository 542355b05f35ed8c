/* fuzz_config: any bytes as a config file either load or fail with a
 * "name:LINE: ..." sentence; a loaded config answers its lookups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ebb/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Keep zone loading inside the tree the fuzzer can see and bounded. */
	setenv("TZDIR", "/usr/share/zoneinfo", 0);
	struct ebb_config *cfg = NULL;
	struct ebb_err err = {0};
	int rc = config_load_string((const char *)data, size, "fuzz.conf", &cfg, &err);
	if (rc) {
		if (cfg || strncmp(err.msg, "fuzz.conf", 9) != 0)
			abort();  /* an error must name the file and leave nothing behind */
		return 0;
	}
	for (size_t i = 0; i < cfg->naccounts; i++) {
		const struct account_cfg *a = &cfg->accounts[i];
		if (!a->name || !a->kind)
			abort();
		const char *tier = config_channel_tier(a, "INBOX", "INBOX", 0);
		if (!tier || !config_tier(cfg, tier))
			abort();  /* validation promised every tier named exists */
		(void)config_is_me(a, "me@example.com");
	}
	config_free(cfg);
	return 0;
}
