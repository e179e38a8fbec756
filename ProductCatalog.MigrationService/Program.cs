var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddCatalogData();
builder.Services.Configure<MigrationOptions>(builder.Configuration.GetSection(MigrationOptions.SectionName));
builder.Services.AddHostedService<MigrationWorker>();

var host = builder.Build();
host.Run();
