using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ProductCatalog.Data.Migrations
{
    /// <inheritdoc />
    public partial class ChangeEventGroups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "catalog_event_groups",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    first_position = table.Column<long>(type: "bigint", nullable: true),
                    last_position = table.Column<long>(type: "bigint", nullable: true),
                    count = table.Column<int>(type: "integer", nullable: false),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    source = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    traceparent = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    ids = table.Column<Guid[]>(type: "uuid[]", nullable: false),
                    subjects = table.Column<string[]>(type: "text[]", nullable: false),
                    data = table.Column<string[]>(type: "json[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_event_groups", x => x.seq);
                    table.CheckConstraint("ck_catalog_event_groups_count", "count >= 1 AND cardinality(ids) = count AND cardinality(subjects) = count AND cardinality(data) = count");
                    table.CheckConstraint("ck_catalog_event_groups_positions", "(first_position IS NULL) = (last_position IS NULL) AND (last_position IS NULL OR last_position = first_position + count - 1)");
                });

            migrationBuilder.CreateIndex(
                name: "ix_catalog_event_groups_unsequenced",
                table: "catalog_event_groups",
                column: "seq",
                filter: "last_position IS NULL");

            migrationBuilder.CreateIndex(
                name: "ux_catalog_event_groups_last_position",
                table: "catalog_event_groups",
                column: "last_position",
                unique: true);

            // Every recorded event moves over, as a group of one, in its insert order (so seq order
            // and the positions already given out stay as they were): none is lost or published twice.
            migrationBuilder.Sql("""
                INSERT INTO catalog_event_groups (first_position, last_position, count, type, source, time, traceparent, ids, subjects, data)
                SELECT position, position, 1, type, source, time, traceparent, ARRAY[id], ARRAY[subject::text], ARRAY[data]
                FROM catalog_events ORDER BY seq
                """);

            migrationBuilder.DropTable(
                name: "catalog_events");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "catalog_events",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    data = table.Column<string>(type: "json", nullable: false),
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    position = table.Column<long>(type: "bigint", nullable: true),
                    source = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    subject = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    traceparent = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_events", x => x.seq);
                });

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

            migrationBuilder.Sql("""
                INSERT INTO catalog_events (position, id, type, source, subject, time, data, traceparent)
                SELECT g.first_position + e.n - 1, e.id, g.type, g.source, e.subject, g.time, e.data, g.traceparent
                FROM catalog_event_groups AS g
                CROSS JOIN LATERAL unnest(g.ids, g.subjects, g.data) WITH ORDINALITY AS e(id, subject, data, n)
                ORDER BY g.seq, e.n
                """);

            migrationBuilder.DropTable(
                name: "catalog_event_groups");
        }
    }
}
