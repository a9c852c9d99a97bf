# The standalone server (src/Server) as a container: `docker build -t gateway .`
# Configuration comes from the environment (Gateway__…, GATEWAY_CONFIG_JSON) or a mounted file named
# by GATEWAY_CONFIG; see README "Container".

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# global.json is left out on purpose: it pins the SDK of development machines, not of this image.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Core/Gateway.Core.csproj src/Core/
COPY src/Server/Gateway.Server.csproj src/Server/
RUN dotnet restore src/Server/Gateway.Server.csproj
COPY src/Core/ src/Core/
COPY src/Server/ src/Server/
RUN dotnet publish src/Server/Gateway.Server.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
# The image's non-root user (APP_UID is set by the .NET images).
USER $APP_UID
# The runtime image has no curl: the server binary probes itself.
HEALTHCHECK --interval=30s --timeout=6s --start-period=15s --retries=3 \
  CMD ["dotnet", "/app/Gateway.Server.dll", "--probe", "http://127.0.0.1:8080/health/live"]
ENTRYPOINT ["dotnet", "/app/Gateway.Server.dll"]
