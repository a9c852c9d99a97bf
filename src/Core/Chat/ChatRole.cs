namespace Gateway.Chat;

/// <summary>A message's author. An open value: roles the gateway does not know round-trip unchanged.</summary>
internal readonly record struct ChatRole(string Value)
{
    public static readonly ChatRole System = new("system");
    public static readonly ChatRole User = new("user");
    public static readonly ChatRole Assistant = new("assistant");
    public static readonly ChatRole Tool = new("tool");

    public override string ToString() => Value;
}
