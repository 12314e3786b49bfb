using Registry.ServiceDefaults.Data;

namespace Registry.Medical.Data;

/// <summary>For the EF tools: the PostgreSQL context at design time (see <see cref="PostgresDesignTimeFactory{TDb}"/>).</summary>
public sealed class MedicalDbContextFactory : PostgresDesignTimeFactory<MedicalDbContext>;
