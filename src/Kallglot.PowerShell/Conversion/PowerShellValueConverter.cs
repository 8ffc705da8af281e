using System.Collections;
using System.Management.Automation;
using System.Text.Json;

namespace Kallglot.PowerShell.Conversion;

/// <summary>Moves values across the PowerShell boundary: PSObject wrappers off on the way in, PSCustomObjects on the way out.</summary>
internal static class PowerShellValueConverter
{
    /// <summary>The plain .NET value behind a PowerShell value, recursively (hashtables, arrays, PSCustomObjects).</summary>
    public static object? Unwrap(object? value)
    {
        if (value is PSObject wrapped)
        {
            if (wrapped.BaseObject is PSCustomObject)
            {
                var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in wrapped.Properties)
                {
                    properties[property.Name] = Unwrap(property.Value);
                }
                return properties;
            }
            value = wrapped.BaseObject;
        }
        switch (value)
        {
            case null or string:
                return value;
            case IDictionary dictionary:
                var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in dictionary)
                {
                    copy[Convert.ToString(Unwrap(entry.Key), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] = Unwrap(entry.Value);
                }
                return copy;
            case IEnumerable sequence:
                return sequence.Cast<object?>().Select(Unwrap).ToList();
            default:
                return value;
        }
    }

    /// <summary>A JSON element as PowerShell reads JSON: objects as PSCustomObjects, arrays as object arrays.</summary>
    public static object? ToPowerShell(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var result = new PSObject();
                foreach (var property in element.EnumerateObject())
                {
                    result.Properties.Add(new PSNoteProperty(property.Name, ToPowerShell(property.Value)));
                }
                return result;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(ToPowerShell).ToArray();
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.TryGetInt64(out var integer) ? (object)integer : element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}
