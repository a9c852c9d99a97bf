namespace Gateway.Configuration;

/// <summary>Invalid configuration found at start-up; the message names every offending key.</summary>
public sealed class GatewayConfigurationException : Exception
{
    /// <summary>Creates the exception from one or more problems, each naming its key.</summary>
    public GatewayConfigurationException(IReadOnlyList<string> problems)
        : base("Invalid gateway configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception from one problem.</summary>
    public GatewayConfigurationException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception from one problem and its cause.</summary>
    public GatewayConfigurationException(string message, Exception innerException)
        : base("Invalid gateway configuration:" + Environment.NewLine + "  " + message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Creates an exception with no detail (required by the exception pattern).</summary>
    public GatewayConfigurationException()
        : this("unknown problem")
    {
    }

    /// <summary>Every problem found, each starting with its configuration key.</summary>
    public IReadOnlyList<string> Problems { get; } = [];
}
