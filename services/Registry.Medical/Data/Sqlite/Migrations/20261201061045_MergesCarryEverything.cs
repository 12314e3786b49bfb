using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Medical.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class MergesCarryEverything : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "MergedIntoCaseId",
                table: "medical_records",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "MergedIntoCaseId",
                table: "medical_records");
        }
    }
}
