using System.Globalization;
using System.Text.Json;
using F23.StringSimilarity;
using Google.Protobuf.Reflection;
using Google.Api;
using Google.Rpc;
using HttpRequest = Microsoft.AspNetCore.Http.HttpRequest;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.Extensions.Options;
using Registry.ServiceDefaults.Grpc;
using Registry.ServiceDefaults.Security;

namespace Registry.Gateway.HttpJson;

/// <summary>
/// Checks an HTTP/JSON request against its method's message before the transcoder reads it, because the transcoder
/// drops what it does not know: a misspelt field (<c>"familyNme"</c>) or query parameter (<c>?pagesize=</c>) would be
/// silently ignored and the call would go ahead without it. Answers, as <c>google.rpc.Status</c> JSON with a
/// <c>BadRequest</c> naming every bad field at once (its path in proto names, e.g. <c>identity.familyNme</c>):
/// <list type="bullet">
/// <item>400 INVALID_ARGUMENT for a body that is not JSON (RFC 8259), a field or query parameter the message does not
/// have (with the nearest known name), a value of the wrong JSON type, an enum value by a name the enum does not have (with
/// the names it has), an integer out of range, or a timestamp that is not RFC 3339 (the protobuf JSON mapping);</item>
/// <item>413 (RFC 9110 §15.5.14) with RESOURCE_EXHAUSTED for a body larger than the gateway's
/// <c>MaxReceiveMessageSize</c> (the bound gRPC callers have), answered from <c>Content-Length</c> before any of it is read.</item>
/// </list>
/// A request without a valid token is not read at all: the transcoder gets an empty message and the access check answers
/// 401 (audited like any refusal) with a <c>WWW-Authenticate: Bearer</c> challenge, so an anonymous caller cannot make the
/// gateway read or buffer its body. Both the JSON
/// names (<c>familyName</c>) and the proto names (<c>family_name</c>) are accepted, as the protobuf JSON mapping requires.
/// Requests refused here reach no service and are not audited: no record was looked at.
/// </summary>
public sealed partial class HttpJsonRequestCheck(IOptions<GrpcServiceOptions> grpc, AccessPolicy policy)
{
    private static readonly OptimalStringAlignment Distance = new();

    /// <summary>The largest body read, in bytes: the gRPC bound of the gateway (4 MiB unless configured).</summary>
    public int MaxBodyBytes { get; } = grpc.Value.MaxReceiveMessageSize ?? 4 * 1024 * 1024;

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var metadata = context.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>();
        if (metadata is null || AccessRefusals.IsGrpc(context.Request))
        {
            await next();
            return;
        }

        var method = metadata.MethodDescriptor;
        var path = $"/{method.Service.FullName}/{method.Name}";
        if (!AccessPolicy.IsOpen(path) && !(await policy.DecideAsync(context, path)).Allowed)
        {
            // The access check refuses the call whatever it holds (401 or 403, audited and counted where it is decided, as over
            // gRPC): it gets nothing to read. A 401 names the scheme (RFC 6750 §3).
            var challenge = context.Request.Headers.Authorization.Count == 0 ? "Bearer realm=\"registry\"" : "Bearer realm=\"registry\", error=\"invalid_token\"";
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = challenge;
                }

                return Task.CompletedTask;
            });
            context.Request.QueryString = QueryString.Empty;
            if (HasBody(metadata.HttpRule))
            {
                context.Request.Body = new MemoryStream("{}"u8.ToArray(), writable: false);
                context.Request.ContentLength = 2;
            }

            await next();
            return;
        }

        var violations = new FieldViolations();
        CheckQuery(context.Request.Query, method.InputType, context.Request.RouteValues, violations);
        if (HasBody(metadata.HttpRule))
        {
            var body = await ReadAsync(context.Request, context.RequestAborted);
            if (body is null)
            {
                await AccessRefusals.WriteAsync(context, TooLarge(context.Request.ContentLength), StatusCodes.Status413PayloadTooLarge);
                return;
            }

            if (body.Length == 0)
            {
                // No body is the empty message, as "{}" is.
                body = "{}"u8.ToArray();
            }

            context.Request.Body = new MemoryStream(body, writable: false);
            context.Request.ContentLength = body.Length;
            if (!System.Text.Unicode.Utf8.IsValid(body))
            {
                await AccessRefusals.WriteAsync(context, Invalid("The request body is not UTF-8 (RFC 8259 §8.1)."));
                return;
            }

            var target = BodyTarget(metadata.HttpRule, method.InputType);
            try
            {
                using var json = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 100 });
                if (target.Field is { } field)
                {
                    CheckValue(json.RootElement, field, field.Name, violations);
                }
                else if (json.RootElement.ValueKind != JsonValueKind.Object)
                {
                    await AccessRefusals.WriteAsync(context, Invalid($"The request body must be a JSON object ({target.Message.Name}), not {Kind(json.RootElement)}."));
                    return;
                }
                else
                {
                    CheckMessage(json.RootElement, target.Message, "", violations);
                    CheckRouteValues(context.Request.RouteValues, json.RootElement, target.Message, violations);
                }
            }
            catch (JsonException ex)
            {
                await AccessRefusals.WriteAsync(context, NotJson(ex));
                return;
            }
        }

        if (violations.Any)
        {
            await AccessRefusals.WriteAsync(context, RpcErrors.InvalidArgument(violations.Violations).GetRpcStatus()!);
            return;
        }

        await next();
    }

    private static bool HasBody(HttpRule rule) => !string.IsNullOrEmpty(rule.Body);

    /// <summary>What the body holds: the whole request (<c>body: "*"</c>) or one of its fields.</summary>
    private static (MessageDescriptor Message, FieldDescriptor? Field) BodyTarget(HttpRule rule, MessageDescriptor input) =>
        rule.Body == "*" ? (input, null) : (input, input.FindFieldByName(rule.Body));

    /// <summary>The body, or null when it is larger than <see cref="MaxBodyBytes"/> (not read further).</summary>
    private async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private Google.Rpc.Status TooLarge(long? length) => new()
    {
        Code = (int)Code.ResourceExhausted,
        Message = (length is { } bytes
            ? $"The request body is {bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes"
            : "The request body is larger than allowed")
            + $"; the gateway takes at most {MaxBodyBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes a request. Send a long list in several calls.",
        Details =
        {
            Google.Protobuf.WellKnownTypes.Any.Pack(new ErrorInfo
            {
                Reason = "REQUEST_TOO_LARGE",
                Domain = RpcErrors.Domain,
                Metadata = { ["max_bytes"] = MaxBodyBytes.ToString(CultureInfo.InvariantCulture) },
            }),
        },
    };

    private static Google.Rpc.Status Invalid(string message) => new() { Code = (int)Code.InvalidArgument, Message = message };

    /// <summary>
    /// A field the route's path sets (<c>/v1/cases/{case_id}/...</c>) and the body gives again with another value: which one
    /// was meant cannot be known, so neither is taken (the transcoder would take the path's silently).
    /// </summary>
    private static void CheckRouteValues(RouteValueDictionary route, JsonElement body, MessageDescriptor message, FieldViolations violations)
    {
        foreach (var (name, value) in route)
        {
            var field = message.FindFieldByName(name);
            if (field is null || value is not string fromPath)
            {
                continue;
            }

            foreach (var property in body.EnumerateObject().Where(p => p.Name == field.JsonName || p.Name == field.Name))
            {
                if (property.Value.ValueKind != JsonValueKind.Null && (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() != fromPath))
                {
                    violations.Add(field.Name, $"is '{fromPath}' in the path and {Kind(property.Value)} in the body; give it once");
                }
            }
        }
    }

    private static Google.Rpc.Status NotJson(JsonException ex) => new()
    {
        Code = (int)Code.InvalidArgument,
        Message = $"The request body is not JSON (RFC 8259): {ex.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.')} "
            + $"(line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}).",
    };

    /// <summary>Query parameters name fields of the request by dotted paths (<c>page.size</c>, <c>pageSize</c>); each must resolve to a scalar, enum or well-known value.</summary>
    private static void CheckQuery(IQueryCollection query, MessageDescriptor input, RouteValueDictionary route, FieldViolations violations)
    {
        foreach (var (key, values) in query)
        {
            if (key.Length == 0)
            {
                violations.Add("query", $"has a parameter with no name ('={values}'); name the field it sets");
                continue;
            }

            var message = input;
            FieldDescriptor? field = null;
            var path = new List<string>();
            foreach (var segment in key.Split('.'))
            {
                if (field is not null)
                {
                    if (field.FieldType != FieldType.Message || field.IsRepeated || IsWellKnown(field.MessageType))
                    {
                        violations.Add(string.Join('.', path), $"is not a message: query parameter '{key}' cannot name a field inside it");
                        field = null;
                        break;
                    }

                    message = field.MessageType;
                }

                field = Find(message, segment);
                if (field is null)
                {
                    violations.Add(string.Join('.', path.Append(segment)), Unknown(message, segment, "query parameter"));
                    break;
                }

                path.Add(field.Name);
            }

            if (field is null)
            {
                continue;
            }

            var name = string.Join('.', path);
            if (route.ContainsKey(name))
            {
                // The transcoder would take the path's value and drop this one without a word.
                violations.Add(name, $"is set by the path ('{route[name]}'); the query parameter '{key}' cannot set it again");
                continue;
            }

            if (field.IsMap || (field.FieldType == FieldType.Message && !IsWellKnown(field.MessageType)))
            {
                violations.Add(name, $"is a message: give its fields as query parameters '{key}.<field>'");
                continue;
            }

            if (!field.IsRepeated && values.Count > 1)
            {
                violations.Add(name, "takes one value; the query gives it several");
                continue;
            }

            foreach (var value in values)
            {
                if (QueryValueProblem(field, value ?? "") is { } problem)
                {
                    violations.Add(name, problem);
                }
            }
        }
    }

    private static string? QueryValueProblem(FieldDescriptor field, string value) => field.FieldType switch
    {
        FieldType.Message => WellKnownProblem(field.MessageType, JsonSerializer.SerializeToElement(value)),
        FieldType.Enum => EnumProblem(field.EnumType, value),
        FieldType.Bool => value is "true" or "false" ? null : $"must be true or false, not '{value}'",
        FieldType.String => null,
        FieldType.Bytes => Base64Problem(value),
        _ => NumberProblem(field.FieldType, value),
    };

    /// <summary>An object against a message: every property a field (by JSON or proto name), every value of its field's type.</summary>
    private static void CheckMessage(JsonElement element, MessageDescriptor message, string prefix, FieldViolations violations)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            violations.Add(prefix, $"must be a JSON object ({message.Name}), not {Kind(element)}");
            return;
        }

        var given = new Dictionary<int, string>();
        foreach (var property in element.EnumerateObject())
        {
            var field = Find(message, property.Name);
            if (field is null)
            {
                violations.Add(Join(prefix, property.Name), Unknown(message, property.Name, "field"));
                continue;
            }

            // A field given twice (twice the same name, or its JSON and its proto name): which value counts cannot be known.
            if (!given.TryAdd(field.FieldNumber, property.Name))
            {
                violations.Add(Join(prefix, field.Name), $"is given twice (as '{given[field.FieldNumber]}' and '{property.Name}'); give it once");
                continue;
            }

            // Members of one oneof are alternatives: two of them set is one too many.
            if (field.RealContainingOneof is { } oneof && property.Value.ValueKind != JsonValueKind.Null
                && oneof.Fields.FirstOrDefault(f => f != field && given.ContainsKey(f.FieldNumber)) is { } other)
            {
                violations.Add(Join(prefix, field.Name), $"and '{other.JsonName}' are alternatives ({oneof.Name}); give one");
            }

            CheckValue(property.Value, field, Join(prefix, field.Name), violations);
        }
    }

    private static void CheckValue(JsonElement value, FieldDescriptor field, string path, FieldViolations violations)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (field.IsMap)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                violations.Add(path, $"must be a JSON object (a map), not {Kind(value)}");
                return;
            }

            var valueField = field.MessageType.FindFieldByNumber(2);
            foreach (var entry in value.EnumerateObject())
            {
                CheckSingle(entry.Value, valueField, $"{path}[{entry.Name}]", violations);
            }

            return;
        }

        if (field.IsRepeated)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                violations.Add(path, $"must be a JSON array, not {Kind(value)}");
                return;
            }

            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                var itemPath = $"{path}[{index++}]";
                if (item.ValueKind == JsonValueKind.Null)
                {
                    violations.Add(itemPath, "must not be null");
                }
                else
                {
                    CheckSingle(item, field, itemPath, violations);
                }
            }

            return;
        }

        CheckSingle(value, field, path, violations);
    }

    private static void CheckSingle(JsonElement value, FieldDescriptor field, string path, FieldViolations violations)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (field.FieldType == FieldType.Message)
        {
            if (IsWellKnown(field.MessageType))
            {
                if (WellKnownProblem(field.MessageType, value) is { } wellKnown)
                {
                    violations.Add(path, wellKnown);
                }
            }
            else
            {
                CheckMessage(value, field.MessageType, path, violations);
            }

            return;
        }

        var problem = field.FieldType switch
        {
            FieldType.Enum => value.ValueKind switch
            {
                JsonValueKind.String => EnumProblem(field.EnumType, value.GetString()!),
                JsonValueKind.Number => EnumProblem(field.EnumType, value.GetRawText()),
                _ => $"must be one of {Names(field.EnumType)} (a string), not {Kind(value)}",
            },
            FieldType.String => value.ValueKind == JsonValueKind.String ? null : $"must be a JSON string, not {Kind(value)}",
            FieldType.Bool => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : $"must be true or false, not {Kind(value)}",
            FieldType.Bytes => value.ValueKind == JsonValueKind.String ? Base64Problem(value.GetString()!) : $"must be a base64 JSON string, not {Kind(value)}",
            _ => value.ValueKind switch
            {
                JsonValueKind.Number => NumberProblem(field.FieldType, value.GetRawText()),
                // The transcoder reads a quoted 64-bit integer (how the proto3 JSON mapping writes one) and special doubles,
                // but no quoted 32-bit integer.
                JsonValueKind.String when field.FieldType is FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64
                    => NumberProblem(field.FieldType, value.GetString()!),
                JsonValueKind.String when field.FieldType is FieldType.Double or FieldType.Float
                    => value.GetString() is "NaN" or "Infinity" or "-Infinity" ? null : $"must be a JSON number, not {Kind(value)}",
                _ => $"must be a JSON number, not {Kind(value)}",
            },
        };
        if (problem is not null)
        {
            violations.Add(path, problem);
        }
    }

    /// <summary>The well-known types the protobuf JSON mapping writes in their own form (a timestamp as a string, a wrapper as its value).</summary>
    private static bool IsWellKnown(MessageDescriptor message) => message.File.Package == "google.protobuf";

    private static string? WellKnownProblem(MessageDescriptor message, JsonElement value)
    {
        switch (message.FullName)
        {
            case "google.protobuf.Timestamp":
                return value.ValueKind == JsonValueKind.String && Parses<Google.Protobuf.WellKnownTypes.Timestamp>(value)
                    ? null
                    : $"must be an RFC 3339 timestamp with an offset, e.g. 2025-01-12T08:00:00Z, not {Shown(value)}";
            case "google.protobuf.Duration":
                return value.ValueKind == JsonValueKind.String && Parses<Google.Protobuf.WellKnownTypes.Duration>(value)
                    ? null
                    : $"must be a duration in seconds with an 's', e.g. 3.5s, not {Shown(value)}";
            case "google.protobuf.FieldMask":
                return value.ValueKind == JsonValueKind.String ? null : $"must be a comma-separated list of field paths (a JSON string), not {Kind(value)}";
            case "google.protobuf.Struct":
                return value.ValueKind == JsonValueKind.Object ? null : $"must be a JSON object, not {Kind(value)}";
            case "google.protobuf.ListValue":
                return value.ValueKind == JsonValueKind.Array ? null : $"must be a JSON array, not {Kind(value)}";
            case "google.protobuf.Empty":
                return value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any() ? null : "must be {}";
            case "google.protobuf.Any":
                return value.ValueKind == JsonValueKind.Object ? null : $"must be a JSON object with an @type, not {Kind(value)}";
            case "google.protobuf.Value":
                return null;
            default:
                // The wrappers (Int32Value, StringValue, ...): the value itself.
                var inner = message.FindFieldByName("value");
                if (inner is null)
                {
                    return null;
                }

                var collected = new FieldViolations();
                CheckSingle(value, inner, "", collected);
                return collected.Violations.FirstOrDefault()?.Description;
        }
    }

    /// <summary>Whether Google.Protobuf's JSON parser (the protobuf JSON mapping's rules, as the transcoder applies them) reads the value.</summary>
    private static bool Parses<T>(JsonElement value) where T : Google.Protobuf.IMessage<T>, new()
    {
        try
        {
            Google.Protobuf.JsonParser.Default.Parse<T>(value.GetRawText());
            return true;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return false;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string? EnumProblem(EnumDescriptor type, string value)
    {
        if (type.FindValueByName(value) is not null)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && type.FindValueByNumber(number) is not null)
        {
            return null;
        }

        return $"must be one of {Names(type)}, not '{value}'";
    }

    private static string Names(EnumDescriptor type) =>
        string.Join(", ", type.Values.Where(v => v.Number != 0 || !v.Name.EndsWith("_UNSPECIFIED", StringComparison.Ordinal)).Select(v => v.Name));

    /// <summary>A whole number written as one (no fraction, no exponent: the transcoder reads no other) within the type's range, or a double.</summary>
    private static string? NumberProblem(FieldType type, string text)
    {
        System.Numerics.BigInteger n = default;
        var whole = WholeNumber().IsMatch(text) && System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n);
        var ok = type switch
        {
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => whole && n >= int.MinValue && n <= int.MaxValue,
            FieldType.UInt32 or FieldType.Fixed32 => whole && n >= 0 && n <= uint.MaxValue,
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => whole && n >= long.MinValue && n <= long.MaxValue,
            FieldType.UInt64 or FieldType.Fixed64 => whole && n >= 0 && n <= ulong.MaxValue,
            _ => text is "NaN" or "Infinity" or "-Infinity" || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        };
        if (ok)
        {
            return null;
        }

        return type switch
        {
            FieldType.Double or FieldType.Float => $"must be a number, not '{text}'",
            FieldType.UInt32 or FieldType.Fixed32 or FieldType.UInt64 or FieldType.Fixed64 => $"must be a whole number from 0 to {(type is FieldType.UInt32 or FieldType.Fixed32 ? uint.MaxValue : ulong.MaxValue)}, not '{text}'",
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => $"must be a whole number from {long.MinValue} to {long.MaxValue}, not '{text}'",
            _ => $"must be a whole number from {int.MinValue} to {int.MaxValue}, not '{text}'",
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex("^-?[0-9]+$")]
    private static partial System.Text.RegularExpressions.Regex WholeNumber();

    private static string? Base64Problem(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
        return Convert.TryFromBase64String(standard, new byte[standard.Length], out _) ? null : "must be base64 (RFC 4648)";
    }

    /// <summary>A field by its JSON name (<c>familyName</c>) or its proto name (<c>family_name</c>).</summary>
    private static FieldDescriptor? Find(MessageDescriptor message, string name) =>
        message.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name) ?? message.FindFieldByName(name);

    private static string Unknown(MessageDescriptor message, string name, string what)
    {
        var nearest = message.Fields.InDeclarationOrder()
            .Select(f => (f.JsonName, Distance: Math.Min(Distance.Distance(name, f.JsonName), Distance.Distance(name.ToLowerInvariant(), f.Name.ToLowerInvariant()))))
            .Where(c => c.Distance <= Math.Max(2, name.Length / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.JsonName)
            .FirstOrDefault();
        return nearest is null
            ? $"is not a {what} of {message.Name}"
            : $"is not a {what} of {message.Name}; did you mean '{nearest}'?";
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {Shown(value)}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };

    private static string Shown(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        return text.Length > 40 ? $"'{text[..40]}…'" : $"'{text}'";
    }
}
