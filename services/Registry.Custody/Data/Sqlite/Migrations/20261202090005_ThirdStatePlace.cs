using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Custody.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ThirdStatePlace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Before this release a transfer to a third state left the record at the detaining state's place and custodian
            // (e.g. Kyiv, UA-SBU) while its timeline event carried the receiving place and authority. The record now takes
            // them from the event (CustodyRecord.TransferToThirdState), and VerifyCustodyChain compares the record's place
            // and custodian with what the timeline implies: the records already transferred take them from their event.
            migrationBuilder.Sql("""
UPDATE custody_records SET
    "FacilityName" = (SELECT e."FacilityName" FROM custody_events e WHERE e."CaseId" = custody_records."CaseId" AND e."Kind" = 'TransferredToThirdState'),
    "FacilityLocality" = (SELECT e."FacilityLocality" FROM custody_events e WHERE e."CaseId" = custody_records."CaseId" AND e."Kind" = 'TransferredToThirdState'),
    "FacilityCountry" = (SELECT e."FacilityCountry" FROM custody_events e WHERE e."CaseId" = custody_records."CaseId" AND e."Kind" = 'TransferredToThirdState'),
    "CustodianAgency" = (SELECT e."CustodianAgency" FROM custody_events e WHERE e."CaseId" = custody_records."CaseId" AND e."Kind" = 'TransferredToThirdState'),
    "Hospital" = NULL, "TransferToName" = NULL, "TransferToLocality" = NULL, "TransferToCountry" = NULL, "TransferToAgency" = NULL
WHERE "State" = 'TransferredToThirdState'
    AND EXISTS (SELECT 1 FROM custody_events e WHERE e."CaseId" = custody_records."CaseId" AND e."Kind" = 'TransferredToThirdState');
""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The place and custodian held before the transfer are in the timeline (the events before it); nothing to undo.
        }
    }
}
