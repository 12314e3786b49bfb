using System.Text.RegularExpressions;
using Grpc.Core;

namespace Registry.ServiceDefaults.Security.Audit;

/// <summary>Names the access audit stores: methods, status codes, who decided.</summary>
public static partial class AccessAuditNames
{
    /// <summary><see cref="AccessEvent.DecidedBy"/> of a refusal the gateway decided and reported.</summary>
    public const string DecidedByGateway = "gateway";

    /// <summary>The package of the gateway's own methods, which have no store of their own.</summary>
    public const string GatewayPackage = "registry.gateway.v1";

    /// <summary>The package of the access audit service every service serves.</summary>
    public const string AuditPackage = "registry.audit.v1";

    /// <summary>A status code as google.rpc.Code names it: <c>PermissionDenied</c> → <c>PERMISSION_DENIED</c>.</summary>
    public static string StatusCodeName(StatusCode code) => UpperSnake().Replace(code.ToString(), "$1_$2").ToUpperInvariant();

    /// <summary><c>package.Service/Method</c>, with or without the leading slash of the HTTP/2 path.</summary>
    public static bool IsMethodName(string method) => MethodPattern().IsMatch(method);

    /// <summary>The package of a method (<c>/registry.intake.v1.IntakeService/GetCase</c> → <c>registry.intake.v1</c>), or null.</summary>
    public static string? PackageOf(string method)
    {
        var match = MethodPattern().Match(method);
        return match.Success ? match.Groups["package"].Value : null;
    }

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex UpperSnake();

    [GeneratedRegex(@"^/?(?<package>[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*)\.[A-Z][A-Za-z0-9]*/[A-Z][A-Za-z0-9]*$")]
    private static partial Regex MethodPattern();
}
