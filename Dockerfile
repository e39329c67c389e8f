# Multi-stage build: the SDK image compiles, the runtime image runs the streamsql server.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Server/StreamSql.Server.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app .
# A 64 MB gen0 budget per GC heap: batches alive across their commit wait are then rarely promoted (the runtime reads
# this setting only from the environment; bench/StreamSql.Bench runs with the same).
ENV STREAMSQL_DATA_DIR=/data \
    STREAMSQL_BIND=0.0.0.0 \
    DOTNET_GCgen0size=0x4000000
VOLUME ["/data"]
# pgwire, Kafka protocol, HTTP health/metrics
EXPOSE 5433 9092 8080
ENTRYPOINT ["dotnet", "streamsql.dll"]
