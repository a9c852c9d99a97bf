namespace Gateway.Configuration;

/// <summary>Which host runs the gateway; some settings are required on one only.</summary>
public enum GatewayHostKind
{
    /// <summary>The standalone Kestrel server (one process; in-memory state allowed).</summary>
    Server,

    /// <summary>Azure Functions (many instances; Table Storage state required).</summary>
    Functions,
}
