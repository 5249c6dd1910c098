/**
 * The search_path of every session ecomdb opens (docs/design.md, 'search_path and pg_catalog').
 * Only pg_catalog, then pg_temp named last: a schema a database or role owner put in the path
 * (`ALTER DATABASE ... SET search_path = evil, pg_catalog`) can then shadow neither a catalog
 * relation nor a built-in function or operator, and temporary tables (searched FIRST for
 * relations when pg_temp is not listed) cannot shadow anything either. ecomdb names its own
 * objects with their schema, so it needs nothing else in the path.
 */
export const FIXED_SEARCH_PATH = 'pg_catalog, pg_temp';

/** The statement that fixes it in a session that cannot take it as a connection parameter (PGlite). */
export const SET_FIXED_SEARCH_PATH = `SET search_path = ${FIXED_SEARCH_PATH}`;
