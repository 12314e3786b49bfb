using Microsoft.EntityFrameworkCore;
using Registry.Identity.Keys;
using Registry.ServiceDefaults.Data;

namespace Registry.Identity.Data;

/// <summary>
/// The authorization server's store: OpenIddict's applications (one per agency system), authorizations,
/// scopes and tokens (OpenIddict.EntityFrameworkCore's model), and the signing and encryption keys.
/// </summary>
public class IdentityDbContext : DbContext
{
    public IdentityDbContext(DbContextOptions<IdentityDbContext> options)
        : base(options)
    {
    }

    /// <summary>For <see cref="Sqlite.SqliteIdentityDbContext"/>, which carries the SQLite migrations.</summary>
    protected IdentityDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<SigningKey> Keys => Set<SigningKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder conventions) => conventions.UseUtcInstants();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.UseOpenIddict();
        modelBuilder.Entity<SigningKey>(key =>
        {
            key.ToTable("signing_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.KeyId).HasMaxLength(64);
            key.Property(k => k.Use).HasMaxLength(3);
            key.HasIndex(k => k.KeyId).IsUnique();
            // Two replicas starting on an empty store, or two rotations at once: one insert per generation wins.
            key.HasIndex(k => new { k.Use, k.Generation }).IsUnique();
        });
    }
}

/// <summary>For the EF tools: the PostgreSQL context at design time (see <see cref="PostgresDesignTimeFactory{TDb}"/>).</summary>
public sealed class IdentityDbContextFactory : PostgresDesignTimeFactory<IdentityDbContext>;
