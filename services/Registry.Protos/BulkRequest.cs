namespace Registry.Protos
{
    /// <summary>
    /// A request that carries many records in one call (an agency's list: ImportCaptures, up to 1,000 rows), so that
    /// it does the work of many calls. Served under the bulk bounds instead of a single call's
    /// (<c>Grpc:BulkCallTimeout</c>, <c>Grpc:MaxConcurrentBulkCalls</c> in each service; the gateway's
    /// <c>Services:MaxForwardedBulkCallTimeout</c>), found by the request's type so the service and the gateway agree.
    /// </summary>
    public interface IBulkRequest;
}

namespace Registry.Protos.Intake.V1
{
    /// <summary>ImportCaptures: up to 1,000 registrations in one call.</summary>
    public sealed partial class ImportCapturesRequest : IBulkRequest;
}
