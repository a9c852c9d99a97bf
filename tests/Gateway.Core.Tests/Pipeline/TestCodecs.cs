using Gateway.Chat;
using Gateway.Configuration;
using Gateway.Pipeline;
using Gateway.State;
using Gateway.State.Tables;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Pipeline;

/// <summary>The product's codec selector with in-memory state, for transcript tests.</summary>
internal static class TestCodecs
{
    public static readonly TokenEstimator Estimator = new();

    public static CodecSelector Selector(out ThinkingMemory thinking)
    {
        var time = TimeProvider.System;
        var stores = new StateStores(new StateOptions(), new StateGuard(new StateHealth(NullLogger<StateHealth>.Instance, time), time), new StateCallCounter(), time);
        thinking = new ThinkingMemory(stores, new GatewayOptions(), time);
        return new CodecSelector(Estimator, thinking, NullLoggerFactory.Instance);
    }

    public static CodecSelector Selector() => Selector(out _);
}
