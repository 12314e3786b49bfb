using Registry.Protos.Custody.V1;
using Registry.Protos.Intake.V1;
using Registry.Protos.Medical.V1;

namespace Registry.Gateway.HttpJson;

// The HTTP/JSON face of each forwarded service. JSON transcoding needs a gRPC service type to read the
// google.api.http routes from; these types add no method of their own: every call is answered by
// HttpJsonForwarder, which sends the decoded request on to the owning service over gRPC. Their native
// gRPC endpoints never match (HttpJsonModule.JsonOnly): gRPC calls keep going through the proxy.

/// <summary>IntakeService over HTTP/JSON, answered by intake (<see cref="HttpJsonForwarder"/>).</summary>
public sealed class IntakeHttpJson : IntakeService.IntakeServiceBase;

/// <summary>CustodyService over HTTP/JSON, answered by custody (<see cref="HttpJsonForwarder"/>).</summary>
public sealed class CustodyHttpJson : CustodyService.CustodyServiceBase;

/// <summary>MedicalService over HTTP/JSON, answered by medical (<see cref="HttpJsonForwarder"/>).</summary>
public sealed class MedicalHttpJson : MedicalService.MedicalServiceBase;
