using System.Security.Cryptography;
using System.Text;

namespace Registry.ServiceDefaults.Grpc;

/// <summary>
/// Opaque page tokens for keyset paging: the last position served plus a fingerprint of the query,
/// so that a token is refused when the caller changes the filter between pages. Not a secret: the
/// position is something the caller could read anyway.
/// </summary>
public static class PageTokens
{
    public const int MaxPageSize = 500;

    public static string Create(string position, string query) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"v1|{Fingerprint(query)}|{position}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryRead(string token, string query, out string position)
    {
        position = "";
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|', 3);
            if (parts is ["v1", var fingerprint, var value] && fingerprint == Fingerprint(query))
            {
                position = value;
                return true;
            }

            return false;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Fingerprint(string query) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(query)), 0, 8);
}
