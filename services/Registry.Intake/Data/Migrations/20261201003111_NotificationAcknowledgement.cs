using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Intake.Data.Migrations
{
    /// <inheritdoc />
    public partial class NotificationAcknowledgement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "DeliveredAt",
                table: "notifications",
                newName: "AcknowledgedAt");

            // The old column recorded when a notification was written into the feed's stream, which the
            // reader may never have received: none of those times is an acknowledgement. The ICRC's next
            // resume (or AcknowledgeNotifications) acknowledges what it really received.
            migrationBuilder.Sql("UPDATE notifications SET \"AcknowledgedAt\" = NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "AcknowledgedAt",
                table: "notifications",
                newName: "DeliveredAt");
        }
    }
}
