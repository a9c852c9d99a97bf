namespace Gateway.Providers;

/// <summary>A managed upstream token could not be obtained; the attempt fails as an upstream auth failure.</summary>
internal sealed class UpstreamTokenException : Exception
{
    public UpstreamTokenException(string message)
        : base(message)
    {
    }

    public UpstreamTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UpstreamTokenException()
    {
    }
}
