-- GIN twins of FerretDB's indexes (applied by servers.sh on every start; idempotent).
--
-- FerretDB 1.24 pushes every filter down as jsonb containment, `(_jsonb->'field') @> value`, and builds
-- its own indexes as btree on `(_jsonb->'field')`, which cannot serve that operator: every query would
-- scan its table. For each btree key FerretDB creates on such an expression, the event trigger below
-- creates a GIN index on the same expression, which serves the containment. So a model's declared
-- index (mongoose `schema.index({field: 1})`, created by the services at start) becomes an index the
-- local database really uses, in every database (each FerretDB database is a schema here, test files'
-- databases included), kept in step with the model with no list to maintain by hand.
SET client_min_messages = warning;
SELECT pg_advisory_lock(7319019);

-- The GIN twin of one key of a btree index, when the key is `(_jsonb -> 'field')`.
CREATE OR REPLACE FUNCTION taskyard_gin_twin(idx oid) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  rel oid;
  nkeys int;
  am name;
  expr text;
  twin text;
BEGIN
  SELECT i.indrelid, i.indnkeyatts, a.amname INTO rel, nkeys, am
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
   WHERE i.indexrelid = idx;
  IF am IS DISTINCT FROM 'btree' THEN RETURN; END IF;
  FOR k IN 1..nkeys LOOP
    expr := pg_get_indexdef(idx, k, true);
    CONTINUE WHEN expr !~ '^\(?_jsonb -> ''[A-Za-z0-9_.$-]+''::text\)?$';
    twin := 'gin_' || substr(md5(rel::text || ':' || expr), 1, 24);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((%s) jsonb_path_ops)', twin, rel::regclass, expr);
  END LOOP;
END
$fn$;

CREATE OR REPLACE FUNCTION taskyard_gin_twins_on_create() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' LOOP
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

-- Backfill: twins of the btree indexes that existed before the trigger did.
SELECT taskyard_gin_twin(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast');

-- Twins whose btree FerretDB dropped (a model no longer declares the index): drop them too.
DO $do$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT g.indexrelid::regclass AS twin
      FROM pg_index g JOIN pg_class gc ON gc.oid = g.indexrelid
     WHERE gc.relname LIKE 'gin\_%'
       AND NOT EXISTS (
         SELECT 1 FROM pg_index b JOIN pg_class bc ON bc.oid = b.indexrelid JOIN pg_am a ON a.oid = bc.relam, generate_series(1, b.indnkeyatts) k
          WHERE b.indrelid = g.indrelid AND a.amname = 'btree'
            AND regexp_replace(pg_get_indexdef(b.indexrelid, k, true), '^\((.*)\)$', '\1') = regexp_replace(pg_get_indexdef(g.indexrelid, 1, true), '^\((.*)\)$', '\1'))
  LOOP
    EXECUTE format('DROP INDEX IF EXISTS %s', r.twin);
  END LOOP;
END
$do$;

SELECT pg_advisory_unlock(7319019);
