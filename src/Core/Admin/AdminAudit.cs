using System.Security.Cryptography;
using System.Text;
using Gateway.Auth;
using Gateway.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Admin;

/// <summary>
/// Logs every admin change: what changed, and a short fingerprint of the admin key that made it (the first
/// 8 hex digits of its SHA-256), so changes can be told apart by key without the log holding any key.
/// </summary>
internal sealed class AdminAudit
{
    private readonly ILogger _logger;

    public AdminAudit(ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger("Gateway.Admin");
    }

    public void Changed(HttpRequest request, string action, string subject, string detail) =>
        GatewayLog.AdminChange(_logger, action, subject, detail, Fingerprint(ClientAuthenticator.PresentedKey(request)));

    public static string Fingerprint(string? key) =>
        key is null ? "-" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..8];
}
