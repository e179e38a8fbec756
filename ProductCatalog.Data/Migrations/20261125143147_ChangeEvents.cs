using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ProductCatalog.Data.Migrations
{
    /// <inheritdoc />
    public partial class ChangeEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "catalog_event_feed",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    sequenced_through = table.Column<long>(type: "bigint", nullable: false),
                    published_through = table.Column<long>(type: "bigint", nullable: false),
                    purged_through = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_event_feed", x => x.id);
                    table.CheckConstraint("ck_catalog_event_feed_singleton", "id = 1");
                });

            migrationBuilder.CreateTable(
                name: "catalog_events",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    position = table.Column<long>(type: "bigint", nullable: true),
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    source = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    subject = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    data = table.Column<string>(type: "json", nullable: false),
                    traceparent = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_events", x => x.seq);
                });

            migrationBuilder.InsertData(
                table: "catalog_event_feed",
                columns: new[] { "id", "published_through", "purged_through", "sequenced_through" },
                values: new object[] { 1, 0L, 0L, 0L });

            migrationBuilder.CreateIndex(
                name: "ix_catalog_events_unsequenced",
                table: "catalog_events",
                column: "seq",
                filter: "position IS NULL");

            migrationBuilder.CreateIndex(
                name: "ux_catalog_events_position",
                table: "catalog_events",
                column: "position",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "catalog_event_feed");

            migrationBuilder.DropTable(
                name: "catalog_events");
        }
    }
}
