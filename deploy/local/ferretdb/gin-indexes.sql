-- GIN indexes for FerretDB's indexes (applied by servers.sh on every start; idempotent).
--
-- FerretDB 1.24 pushes every filter down as jsonb containment, `(_jsonb->'field') @> value`, and builds
-- its own indexes as btree on `(_jsonb->'field')`, which cannot serve that operator: every query would
-- scan its table. The event trigger below gives each such index a GIN index on the same expression,
-- which serves the containment. So a model's declared index (mongoose `schema.index({field: 1})`,
-- created by the services at start) becomes an index the local database really uses, in every database
-- (each FerretDB database is a schema here, test files' databases included), kept in step with the model
-- with no list to maintain by hand.
--
-- What each FerretDB btree becomes:
-- * a NON-unique btree on one field is REPLACED by the GIN, under the btree's own name: the btree serves
--   no query (every filter is `@>`), yet every insert and every update (FerretDB rewrites the whole row,
--   so no update is HOT) added an entry to it (the tasks' `lk` btree held each task's whole key array,
--   the largest index of the table). FerretDB knows its indexes by its own metadata and drops them by
--   name, so createIndexes, listIndexes and dropIndexes work as before.
-- * a UNIQUE btree stays (it enforces the uniqueness; `_id`'s also serves FerretDB's `UPDATE ... WHERE
--   _jsonb->'_id' = $1` and, patched, its `_id` filters) and gets a GIN twin `gin_<hash>` beside it (dropped
--   when the btree goes), but `_id`'s while this checkout's FerretDB serves (see taskyard_id_twins).
-- * a compound non-unique btree stays too (FerretDB drops it by name), with a twin per field.
-- Every GIN is partial, `WHERE (expr) IS NOT NULL`: a document without the field (a sparse index's
-- usual case: most tasks have no parent, no idempotency key) adds no entry, and the planner still uses
-- it for `(expr) @> value`, which is strict (no match on NULL). `fastupdate = off`: FerretDB reads each
-- document by `_id` before it updates it, and with the pending list on, every such read scanned the
-- list of entries not yet merged (up to gin_pending_list_limit, 4 MB) before the tree.
SET client_min_messages = warning;
SELECT pg_advisory_lock(7319019);

-- `_id` GIN twins: wanted only while a FerretDB without deploy/local/ferretdb/patches/02-id-filter-as-equality.patch
-- serves this database (it filters `_id` by containment; the patched one by equality, which FerretDB's own unique
-- `_id` btree serves, so a twin would only cost an entry per insert and update). servers.sh tells, by the FerretDB
-- process that runs (`-v id_twins=true|false`); run without it, the twins are kept.
\if :{?id_twins}
\else
\set id_twins true
\endif
\set id_twins_sql 'SELECT ' :id_twins
CREATE OR REPLACE FUNCTION taskyard_id_twins() RETURNS boolean LANGUAGE sql IMMUTABLE AS :'id_twins_sql';

-- The GIN index on `expr` of table `rel`, named `name`.
CREATE OR REPLACE FUNCTION taskyard_gin_create(name text, rel regclass, expr text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((%s) jsonb_path_ops) WITH (fastupdate = off) WHERE (%s) IS NOT NULL',
    name, rel, expr, expr);
END
$fn$;

-- The GIN index(es) of one btree index of FerretDB's, for its keys of the form `(_jsonb -> 'field')`.
CREATE OR REPLACE FUNCTION taskyard_gin_twin(idx oid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  rel oid;
  nkeys int;
  am name;
  uniq boolean;
  idxname text;
  expr text;
BEGIN
  SELECT i.indrelid, i.indnkeyatts, a.amname, i.indisunique, c.relname INTO rel, nkeys, am, uniq, idxname
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
   WHERE i.indexrelid = idx;
  IF am IS DISTINCT FROM 'btree' THEN RETURN; END IF;
  expr := pg_get_indexdef(idx, 1, true);
  IF nkeys = 1 AND expr ~ '^\(?_jsonb -> ''[A-Za-z0-9_.$-]+''::text\)?$' THEN
    IF NOT uniq THEN
      EXECUTE format('DROP INDEX %s', idx::regclass);
      PERFORM taskyard_gin_create(idxname, rel::regclass, expr);
      RETURN;
    END IF;
    IF expr ~ '''_id''' AND NOT taskyard_id_twins() THEN RETURN; END IF;
    -- A unique btree on a field other than `_id`, without its partial predicate yet: the same constraint
    -- (NULLs never collide) with no entry for the documents that lack the field.
    IF expr !~ '''_id''' AND NOT EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = idx AND indpred IS NOT NULL) THEN
      EXECUTE format('DROP INDEX %s', idx::regclass);
      EXECUTE format('CREATE UNIQUE INDEX %I ON %s (%s) WHERE (%s) IS NOT NULL', idxname, rel::regclass, expr, expr);
      RETURN;
    END IF;
  END IF;
  FOR k IN 1..nkeys LOOP
    expr := pg_get_indexdef(idx, k, true);
    CONTINUE WHEN expr !~ '^\(?_jsonb -> ''[A-Za-z0-9_.$-]+''::text\)?$';
    PERFORM taskyard_gin_create('gin_' || substr(md5(rel::text || ':' || expr), 1, 24), rel::regclass, expr);
  END LOOP;
END
$fn$;

-- The list marks' table (libs/tasks list-keys.ts, list-heads.ts) is vacuumed by a count of dead rows, not a
-- share of the table. A few of its keys are read by every list page for ever: each list's head
-- (`<scope>@head`) and an open list's root (`<scope>@root`); prunes take entries out of them all the time
-- (an update or a delete: a dead row), and a GIN keeps the dead row's entry until a vacuum removes it, so a
-- read of such a key visits every dead row pruned since the last vacuum. With the default share (20% of the
-- table dead) the table, growing with every task stored, was vacuumed ever more rarely: at 1,000,000 tasks
-- (3 million marks) never in a run, and a head of 130 marks cost 373 heap pages and 3.4 ms in PostgreSQL
-- alone, 119 and 0.3 ms after a vacuum (bench/history README, session 6). The index cleanup always: below 2%
-- of the pages with dead rows PostgreSQL would skip it, leaving those entries in place.
CREATE OR REPLACE FUNCTION taskyard_vacuum_settings(rel regclass) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF (SELECT relname FROM pg_class WHERE oid = rel) LIKE 'list\_marks\_%'
     AND NOT coalesce((SELECT reloptions FROM pg_class WHERE oid = rel) @> '{autovacuum_vacuum_scale_factor=0}', false) THEN
    EXECUTE format('ALTER TABLE %s SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, vacuum_index_cleanup = on)', rel);
  END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION taskyard_gin_twins_on_create() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' LOOP
    PERFORM taskyard_vacuum_settings((SELECT indrelid FROM pg_index WHERE indexrelid = r.objid)::regclass);
    PERFORM taskyard_gin_twin(r.objid);
  END LOOP;
END
$fn$;

DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'taskyard_gin_twins') THEN
    CREATE EVENT TRIGGER taskyard_gin_twins ON ddl_command_end WHEN TAG IN ('CREATE INDEX')
      EXECUTE FUNCTION taskyard_gin_twins_on_create();
  END IF;
END
$do$;

-- One of our GIN indexes (jsonb_path_ops) read without a pending list. Turning fastupdate off (those made by an
-- earlier version had it on) leaves the entries already in the list where they are (only a vacuum or
-- gin_clean_pending_list moves them into the tree, and with fastupdate off no insert triggers that), so every read
-- would go on scanning them: the list is moved into the tree too. For every such GIN, those altered by an earlier
-- version of this file included: on an index without a pending list it reads the metapage only.
CREATE OR REPLACE FUNCTION taskyard_gin_settle(idx regclass) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF NOT coalesce((SELECT reloptions FROM pg_class WHERE oid = idx) @> '{fastupdate=off}', false) THEN
    EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', idx);
  END IF;
  PERFORM gin_clean_pending_list(idx);
END
$fn$;

-- A GIN twin (`gin_<hash>`) no btree needs any more: its btree dropped by FerretDB (a model no longer declares the
-- index) or replaced by the GIN under its own name, or an `_id` twin no FerretDB needs. Decided here, not in the
-- query that lists the twins: pg_get_indexdef locks the index's table, and a table another session holds (a test
-- dropping its database) must cost this run that one twin, not the run.
CREATE OR REPLACE FUNCTION taskyard_drop_needless_twin(twin regclass) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  expr text := pg_get_indexdef(twin, 1, true);
BEGIN
  IF expr IS NULL THEN RETURN; END IF;
  IF (expr ~ '''_id''' AND NOT taskyard_id_twins()) OR NOT EXISTS (
    SELECT 1 FROM pg_index b JOIN pg_class bc ON bc.oid = b.indexrelid JOIN pg_am a ON a.oid = bc.relam, generate_series(1, b.indnkeyatts) k
     WHERE b.indrelid = (SELECT indrelid FROM pg_index WHERE indexrelid = twin) AND a.amname = 'btree'
       AND regexp_replace(pg_get_indexdef(b.indexrelid, k, true), '^\((.*)\)$', '\1') = regexp_replace(expr, '^\((.*)\)$', '\1'))
  THEN
    EXECUTE format('DROP INDEX IF EXISTS %s', twin);
  END IF;
END
$fn$;

-- Applies the function `action` to each relation the query `objects` lists (in its column `obj`), each in a
-- transaction of its own, never waiting long for a table's lock: the backfills below run on a live server
-- (`servers.sh gin-indexes`, and `npm test`'s start) while other sessions use it, so a busy or vanished relation
-- is left for the next run rather than failing the start. The query must read the catalogs only (no
-- pg_get_indexdef: it locks the table): it runs again at each COMMIT for the rows not yet read, outside the
-- per-relation exception.
CREATE OR REPLACE PROCEDURE taskyard_each(objects text, action text) LANGUAGE plpgsql AS $fn$
DECLARE
  r record;
BEGIN
  FOR r IN EXECUTE objects LOOP
    BEGIN
      EXECUTE format('SELECT %I($1)', action) USING r.obj;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'gin-indexes: % left for the next run: %', r.obj, SQLERRM;
    END;
    COMMIT;
  END LOOP;
END
$fn$;
SET lock_timeout = '500ms';

-- Backfill: the indexes that existed before this version of the trigger did.
CALL taskyard_each($q$
  SELECT i.indexrelid::regclass AS obj
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')
$q$, 'taskyard_gin_twin');

-- The vacuum settings (above) of the tables made before them.
CALL taskyard_each($q$
  SELECT c.oid::regclass AS obj FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r' AND c.relname LIKE 'list\_marks\_%' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
$q$, 'taskyard_vacuum_settings');

-- GIN indexes made by an earlier version (the pending list on): read without it from now on (taskyard_gin_settle).
-- Ours by their operator class, jsonb_path_ops.
CALL taskyard_each($q$
  SELECT c.oid::regclass AS obj
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relam = (SELECT oid FROM pg_am WHERE amname = 'gin') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
     AND EXISTS (SELECT 1 FROM pg_opclass o WHERE o.oid = ANY (i.indclass) AND o.opcname = 'jsonb_path_ops')
$q$, 'taskyard_gin_settle');

-- Twins no btree needs any more (taskyard_drop_needless_twin).
CALL taskyard_each($q$
  SELECT g.indexrelid::regclass AS obj FROM pg_index g JOIN pg_class gc ON gc.oid = g.indexrelid WHERE gc.relname LIKE 'gin\_%'
$q$, 'taskyard_drop_needless_twin');

SELECT pg_advisory_unlock(7319019);
