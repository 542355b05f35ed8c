/* providers/registry: maps an account's kind to its provider ops. */
#include <string.h>

#include "ebb/provider.h"

static const struct provider_ops *const providers[] = {
	&maildir_provider_ops,
	&imap_provider_ops,
	&matrix_provider_ops,
	&slack_provider_ops,
};

const struct provider_ops *provider_lookup(const char *kind)
{
	for (size_t i = 0; i < sizeof providers / sizeof providers[0]; i++)
		if (kind && !strcmp(providers[i]->kind, kind))
			return providers[i];
	return NULL;
}
