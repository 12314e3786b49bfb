using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Medical.Data.Migrations
{
    /// <inheritdoc />
    public partial class InspectionsOwed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CaptivityEndedAt",
                table: "medical_records",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EscapedAt",
                table: "medical_records",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_medical_records_inspections_owed",
                table: "medical_records",
                column: "ExaminationDueBy",
                filter: "\"MergedIntoCaseId\" IS NULL AND \"DiedAt\" IS NULL AND \"CaptivityEndedAt\" IS NULL AND \"EscapedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_medical_records_inspections_owed",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "CaptivityEndedAt",
                table: "medical_records");

            migrationBuilder.DropColumn(
                name: "EscapedAt",
                table: "medical_records");
        }
    }
}
