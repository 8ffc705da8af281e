using System.Collections;
using System.Text.Json;
using Kallglot.Security;

namespace Kallglot.Tests.Security;

public sealed class RoutingRedactorTests
{
    [Fact]
    public void Credentials_in_tables_lists_and_sip_uris_are_masked_and_everything_else_is_kept()
    {
        var routing = new Dictionary<string, object?>
        {
            ["sip_uri"] = "sip:agent@pbx.example.test",
            ["sip_passwd"] = "pass-1",
            ["trunks"] = new object?[] { new Hashtable { ["uri"] = "sip:b:pass-2@h", ["password"] = "pass-3" }, "sips:c:pass-4@h", 5060, null },
            ["options"] = new Dictionary<string, object?> { ["credentials"] = new Dictionary<string, object?> { ["user"] = "agent", ["secret"] = "pass-5" } },
            ["auth_token"] = new Dictionary<string, object?> { ["value"] = "pass-6", ["rotates"] = true },
        };

        var masked = RoutingRedactor.Redact(routing);

        var text = JsonSerializer.Serialize(masked);
        Assert.DoesNotMatch("pass-[1-6]", text);
        Assert.Equal("sip:agent@pbx.example.test", masked["sip_uri"]);
        Assert.Equal("***", masked["sip_passwd"]);
        var trunks = Assert.IsType<object?[]>(masked["trunks"]);
        Assert.Equal("sip:b:***@h", ((IDictionary<string, object?>)trunks[0]!)["uri"]);
        Assert.Equal("sips:c:***@h", trunks[1]);
        Assert.Equal(5060, trunks[2]);
        Assert.Null(trunks[3]);
        var credentials = (IDictionary<string, object?>)((IDictionary<string, object?>)masked["options"]!)["credentials"]!;
        Assert.Equal(("agent", "***"), (credentials["user"], credentials["secret"]));
        // Under a credential's name its strings are masked and its shape kept: a table stays a table, true stays true.
        var token = (IDictionary<string, object?>)masked["auth_token"]!;
        Assert.Equal(("***", true), (token["value"], token["rotates"]));
    }
}
