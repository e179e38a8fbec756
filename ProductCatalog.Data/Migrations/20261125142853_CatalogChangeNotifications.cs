using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ProductCatalog.Data.Migrations
{
    /// <summary>
    /// Row triggers that announce every change to products and categories on the
    /// <see cref="CatalogChangeChannel"/> channel. In triggers rather than in the API's write paths
    /// so that no writer can forget (the batch import's binary COPY fires row triggers too), and
    /// through NOTIFY, which PostgreSQL delivers only when (and if) the transaction commits.
    /// SQL only: the model does not change.
    /// </summary>
    public partial class CatalogChangeNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                """
                CREATE FUNCTION catalog_notify_product_change() RETURNS trigger
                LANGUAGE plpgsql AS $$
                DECLARE
                    changed products;
                    skus text[];
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        changed := OLD;
                        skus := ARRAY[OLD.sku];
                    ELSIF TG_OP = 'UPDATE' AND OLD.sku IS DISTINCT FROM NEW.sku THEN
                        changed := NEW;
                        skus := ARRAY[OLD.sku, NEW.sku];
                    ELSE
                        changed := NEW;
                        skus := ARRAY[NEW.sku];
                    END IF;
                    PERFORM pg_notify('catalog_changes', json_build_object(
                        'kind', 'product',
                        'op', lower(TG_OP),
                        'id', changed.id,
                        'skus', skus,
                        'at', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)::text);
                    RETURN NULL;
                END
                $$;

                CREATE TRIGGER products_notify_change
                    AFTER INSERT OR UPDATE OR DELETE ON products
                    FOR EACH ROW EXECUTE FUNCTION catalog_notify_product_change();

                CREATE FUNCTION catalog_notify_category_change() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('catalog_changes', json_build_object(
                        'kind', 'category',
                        'op', lower(TG_OP),
                        'id', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END,
                        'at', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)::text);
                    RETURN NULL;
                END
                $$;

                CREATE TRIGGER categories_notify_change
                    AFTER INSERT OR UPDATE OR DELETE ON categories
                    FOR EACH ROW EXECUTE FUNCTION catalog_notify_category_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                """
                DROP TRIGGER IF EXISTS categories_notify_change ON categories;
                DROP FUNCTION IF EXISTS catalog_notify_category_change();
                DROP TRIGGER IF EXISTS products_notify_change ON products;
                DROP FUNCTION IF EXISTS catalog_notify_product_change();
                """);
        }
    }
}
