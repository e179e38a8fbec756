-- Bench data: :products products in 50 categories, generated inside PostgreSQL (no round trips).
-- psql -v products=N -f seed.sql. Ids are time-ordered like the API's UUIDv7s; names, prices
-- and tags spread so that no sort order follows the insertion order.
-- Words: 37 common ones (each in several % of the products: "meadow" is a common word) and, in the
-- description, one of 65 536 rare ones made of four syllables ("series kalomine": a handful of
-- products at 100 k, about 150 at 10 M), so search can be measured for both kinds.
\set ON_ERROR_STOP on
SET maintenance_work_mem = '1GB';
SET max_parallel_maintenance_workers = 2;

INSERT INTO categories (name, description)
SELECT 'Bench category ' || lpad(c::text, 2, '0'), 'Category ' || c || ' of the benchmark'
FROM generate_series(1, 50) AS c;

CREATE TEMP TABLE words AS
SELECT ARRAY['amber','basalt','cobalt','dune','ember','fjord','garnet','harbor','indigo','juniper',
             'kestrel','lagoon','meadow','nickel','onyx','prairie','quartz','ridge','sierra','tundra',
             'umber','violet','willow','xenon','yarrow','zephyr','acorn','birch','cedar','delta',
             'ermine','falcon','glacier','heron','iris','jade','kelp'] AS w,
       ARRAY['ka','lo','mi','ne','ru','ta','vo','zi','pe','su','do','ga','hu','fi','be','jo'] AS s;

-- The products' secondary indexes (those the migrations made, whatever they are) are dropped for the
-- load and built again after it, as one would load a big catalog: building an index once is far
-- cheaper than maintaining it row by row (the GIN full-text and trigram indexes above all).
CREATE TEMP TABLE bench_indexes AS
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = current_schema() AND tablename = 'products'
  AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'products'::regclass);
SELECT format('DROP INDEX %I', indexname) FROM bench_indexes \gexec
SELECT extract(epoch FROM clock_timestamp()) AS load_start \gset

INSERT INTO products (id, sku, name, description, price, currency, category_id, tags, stock_quantity, is_active, created_at, updated_at)
SELECT
    (lpad(to_hex(t.ms), 12, '0') || '7' || substr(t.h, 1, 3) || '8' || substr(t.h, 4, 15))::uuid,
    'BENCH-' || lpad(g::text, 8, '0'),
    initcap(w[1 + (g * 7) % 37]) || ' ' || w[1 + (g * 13) % 37] || ' ' || w[1 + (g / 37) % 37] || ' ' || g,
    'A ' || w[1 + (g * 11) % 37] || ' product made of ' || w[1 + (g * 17) % 37] || ', series '
        || s[1 + (t.r & 15)] || s[1 + ((t.r >> 4) & 15)] || s[1 + ((t.r >> 8) & 15)] || s[1 + ((t.r >> 12) & 15)]
        || ', item ' || g || ' of the benchmark catalog.',
    ((g::bigint * 7919) % 100000) / 100.0,
    'USD',
    (SELECT min(id) FROM categories) + g % 50,
    ARRAY[w[1 + g % 37], w[1 + (g * 3) % 37]],
    1000 + g % 100,
    g % 20 <> 0,
    to_timestamp(t.ms / 1000.0),
    to_timestamp(t.ms / 1000.0)
FROM generate_series(1, :products) AS g
CROSS JOIN words
CROSS JOIN LATERAL (SELECT (extract(epoch FROM now()) * 1000)::bigint - :products + g AS ms, md5(g::text) AS h,
                           (g::bigint * 40503) % 65536 AS r) AS t;

SELECT extract(epoch FROM clock_timestamp()) AS index_start \gset
SELECT indexdef FROM bench_indexes \gexec
SELECT round((:index_start - :load_start)::numeric, 1) AS load_s, round((extract(epoch FROM clock_timestamp()) - :index_start)::numeric, 1) AS index_s \gset
-- For run.sh: the load's and the index builds' seconds.
\echo seed-timing :load_s :index_s

VACUUM ANALYZE categories;
VACUUM ANALYZE products;
