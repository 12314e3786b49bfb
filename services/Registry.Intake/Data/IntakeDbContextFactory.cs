using Registry.ServiceDefaults.Data;

namespace Registry.Intake.Data;

/// <summary>For the EF tools: the PostgreSQL context at design time (see <see cref="PostgresDesignTimeFactory{TDb}"/>).</summary>
public sealed class IntakeDbContextFactory : PostgresDesignTimeFactory<IntakeDbContext>;
