using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Registry.ServiceDefaults.Security;

/// <summary>
/// Reads the access-relevant fields of any registry message by protobuf reflection, so one check serves
/// every RPC: the cases a message names (string fields <c>case_id</c> or <c>*_case_id</c>, e.g.
/// <c>survivor_case_id</c>, and repeated string fields <c>case_ids</c> or <c>*_case_ids</c>, e.g. the persons an
/// ICRC visit interviewed in private, at the top level, and in a response one level down, e.g. <c>case.case_id</c>
/// or each result of a search; at most <see cref="MaxCaseIds"/> in all), and the agency field a write carries (a dotted path such as
/// <c>capture.capturing_agency</c>).
/// </summary>
public static class ProtoCaseFields
{
    /// <summary>
    /// At most this many case ids are taken from one request or response (a page of search results, a visit's list): the
    /// longest list a call carries, ImportCaptures' 1,000 rows, so an import's audit row names every case it opened or
    /// replayed (at 200, a batch of 500 left 300 cases unnamed).
    /// </summary>
    public const int MaxCaseIds = 1000;

    // The key of Exception.Data under which a handler leaves the cases a failed call stored anyway (NameStoredBeforeFailure).
    private const string StoredCaseIdsKey = "registry.stored_case_ids";

    /// <summary>
    /// Marks <paramref name="failure"/>, which is about to end a call, with the cases the call stored before it (e.g. an
    /// ImportCaptures call whose later part failed after its earlier parts committed): the access audit names them although
    /// the call has no response (<see cref="AddFromFailure"/>). The exception's type and status are unchanged. Marks add up:
    /// each step a failure passes through on its way out names what it stored.
    /// </summary>
    public static void NameStoredBeforeFailure(Exception failure, IEnumerable<Guid> caseIds) =>
        failure.Data[StoredCaseIdsKey] = (failure.Data[StoredCaseIdsKey] as Guid[] ?? []).Concat(caseIds).Distinct().Take(MaxCaseIds).ToArray();

    /// <summary>The cases <paramref name="failure"/> was marked with (<see cref="NameStoredBeforeFailure"/>), added to <paramref name="ids"/>.</summary>
    public static void AddFromFailure(Exception failure, List<Guid> ids)
    {
        if (failure.Data[StoredCaseIdsKey] is Guid[] stored)
        {
            ids.AddRange(stored.Where(id => !ids.Contains(id)).Take(MaxCaseIds - ids.Count));
        }
    }

    /// <summary>The case ids a request names, in field order; values that are not UUIDs are skipped (the handler refuses them).</summary>
    public static List<Guid> FromRequest(object? message)
    {
        var ids = new List<Guid>();
        if (message is IMessage m)
        {
            AddTopLevel(m, ids);
        }

        return ids;
    }

    /// <summary>The case ids a response names: top-level fields, then each message field's (one level down, repeated included).</summary>
    public static void AddFromResponse(object? message, List<Guid> ids)
    {
        if (message is not IMessage m)
        {
            return;
        }

        AddTopLevel(m, ids);
        foreach (var field in m.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != FieldType.Message || ids.Count >= MaxCaseIds)
            {
                continue;
            }

            var value = field.Accessor.GetValue(m);
            if (field.IsRepeated && value is System.Collections.IEnumerable items)
            {
                foreach (var item in items)
                {
                    if (item is IMessage inner && ids.Count < MaxCaseIds)
                    {
                        AddTopLevel(inner, ids);
                    }
                }
            }
            else if (value is IMessage inner)
            {
                AddTopLevel(inner, ids);
            }
        }
    }

    /// <summary>
    /// Whether the message has a top-level case field (<c>case_id</c>, <c>*_case_id</c>) whose value is not a UUID
    /// (empty included): such a request names no case the access check could look up, and its handler refuses it
    /// INVALID_ARGUMENT naming the field before it reads anything.
    /// </summary>
    public static bool HasUnreadableCaseField(IMessage message) =>
        message.Descriptor.Fields.InFieldNumberOrder().Any(field => field.FieldType == FieldType.String && !field.IsRepeated
            && IsCaseField(field.Name) && !Guid.TryParse((string)field.Accessor.GetValue(message), out _));

    /// <summary>
    /// The string at a dotted field path (e.g. <c>capture.capturing_agency</c>); empty when a part is unset. A
    /// path through a repeated field (<c>rows[].capture.capturing_agency</c>, see <see cref="ReadAll"/>) reads
    /// its first element's value, empty when it has none.
    /// </summary>
    /// <exception cref="InvalidOperationException">The path names no string field of the message (an error in the access table).</exception>
    public static string Read(IMessage message, string path) =>
        ReadAll(message, path).Select(v => v.Value).FirstOrDefault() ?? "";

    /// <summary>
    /// Every string at a dotted field path, with the path it was found at: one value for a path of singular
    /// fields (<c>capture.capturing_agency</c>, empty when a part is unset); for a part ending in <c>[]</c>, a
    /// repeated message field, one value per element, each named with its index as google.rpc.BadRequest names a
    /// field (<c>rows[3].capture.capturing_agency</c>), none when the list is empty.
    /// </summary>
    /// <exception cref="InvalidOperationException">The path names no string field of the message (an error in the access table).</exception>
    public static IEnumerable<(string Path, string Value)> ReadAll(IMessage message, string path) =>
        ReadFrom(message, message.Descriptor.FullName, path, path.Split('.'), 0, "");

    private static IEnumerable<(string Path, string Value)> ReadFrom(IMessage? current, string root, string path, string[] parts, int i, string prefix)
    {
        var repeated = parts[i].EndsWith("[]", StringComparison.Ordinal);
        var name = repeated ? parts[i][..^2] : parts[i];
        var last = i == parts.Length - 1;
        var field = current!.Descriptor.FindFieldByName(name)
            ?? throw new InvalidOperationException($"Access table: {root} has no field '{path}'.");
        if (repeated != field.IsRepeated || (repeated && (last || field.FieldType != FieldType.Message)))
        {
            throw new InvalidOperationException($"Access table: '{path}' of {root} must mark each repeated message field (and only those) with [] before a string field.");
        }

        var named = prefix.Length == 0 ? name : $"{prefix}.{name}";
        if (last)
        {
            if (field.FieldType != FieldType.String)
            {
                throw new InvalidOperationException($"Access table: '{path}' of {root} is not a string.");
            }

            yield return (named, (string)field.Accessor.GetValue(current));
            yield break;
        }

        var value = field.Accessor.GetValue(current);
        if (repeated)
        {
            var index = 0;
            foreach (var item in (System.Collections.IEnumerable)value)
            {
                foreach (var found in ReadFrom((IMessage)item, root, path, parts, i + 1, $"{named}[{index}]"))
                {
                    yield return found;
                }

                index++;
            }

            if (index == 0)
            {
                // No element to read: still check that the rest of the path names a string field.
                _ = ReadFrom((IMessage)Activator.CreateInstance(field.MessageType.ClrType)!, root, path, parts, i + 1, named).ToList();
            }

            yield break;
        }

        if (value is IMessage inner)
        {
            foreach (var found in ReadFrom(inner, root, path, parts, i + 1, named))
            {
                yield return found;
            }
        }
        else
        {
            // An unset message: its fields read as empty (still checked against the schema).
            foreach (var (at, _) in ReadFrom((IMessage)Activator.CreateInstance(field.MessageType.ClrType)!, root, path, parts, i + 1, named))
            {
                yield return (at, "");
            }
        }
    }

    private static void AddTopLevel(IMessage message, List<Guid> ids)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != FieldType.String)
            {
                continue;
            }

            if (!field.IsRepeated && IsCaseField(field.Name))
            {
                Add((string)field.Accessor.GetValue(message), ids);
            }
            else if (field.IsRepeated && IsCaseListField(field.Name) && field.Accessor.GetValue(message) is IEnumerable<string> values)
            {
                foreach (var value in values)
                {
                    Add(value, ids);
                }
            }
        }
    }

    private static void Add(string value, List<Guid> ids)
    {
        if (ids.Count < MaxCaseIds && Guid.TryParse(value, out var id) && !ids.Contains(id))
        {
            ids.Add(id);
        }
    }

    private static bool IsCaseField(string name) => name == "case_id" || name.EndsWith("_case_id", StringComparison.Ordinal);

    private static bool IsCaseListField(string name) => name == "case_ids" || name.EndsWith("_case_ids", StringComparison.Ordinal);
}
