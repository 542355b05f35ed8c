/* store/schema: the migration list, private to store/. */
#ifndef EBB_STORE_SCHEMA_H
#define EBB_STORE_SCHEMA_H

#include <stddef.h>

/* Marks a database as ebb's in its header ("ebb\0"). */
#define STORE_APPLICATION_ID 1700946432

struct store_migration {
	int version;       /* user_version after this migration */
	const char *sql;   /* constant SQL, run in one transaction */
};

extern const struct store_migration store_migrations[];
extern const size_t store_nmigrations;

#endif
