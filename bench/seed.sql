-- Bench data: :products products in 50 categories, generated inside PostgreSQL (no round trips).
-- psql -v products=N -f seed.sql. Ids are time-ordered like the API's UUIDv7s; names, prices
-- and tags spread so that no sort order follows the insertion order.
\set ON_ERROR_STOP on
INSERT INTO categories (name, description)
SELECT 'Bench category ' || lpad(c::text, 2, '0'), 'Category ' || c || ' of the benchmark'
FROM generate_series(1, 50) AS c;

CREATE TEMP TABLE words AS
SELECT ARRAY['amber','basalt','cobalt','dune','ember','fjord','garnet','harbor','indigo','juniper',
             'kestrel','lagoon','meadow','nickel','onyx','prairie','quartz','ridge','sierra','tundra',
             'umber','violet','willow','xenon','yarrow','zephyr','acorn','birch','cedar','delta',
             'ermine','falcon','glacier','heron','iris','jade','kelp'] AS w;

INSERT INTO products (id, sku, name, description, price, currency, category_id, tags, stock_quantity, is_active, created_at, updated_at)
SELECT
    (lpad(to_hex(t.ms), 12, '0') || '7' || substr(t.h, 1, 3) || '8' || substr(t.h, 4, 15))::uuid,
    'BENCH-' || lpad(g::text, 8, '0'),
    initcap(w[1 + (g * 7) % 37]) || ' ' || w[1 + (g * 13) % 37] || ' ' || w[1 + (g / 37) % 37] || ' ' || g,
    'A ' || w[1 + (g * 11) % 37] || ' product made of ' || w[1 + (g * 17) % 37] || ', item ' || g || ' of the benchmark catalog.',
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
CROSS JOIN LATERAL (SELECT (extract(epoch FROM now()) * 1000)::bigint - :products + g AS ms, md5(g::text) AS h) AS t;

VACUUM ANALYZE categories;
VACUUM ANALYZE products;
