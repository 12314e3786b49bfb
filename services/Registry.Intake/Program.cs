using Registry.Intake;
using Registry.ServiceDefaults.Hosting;
using Registry.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("intake");
builder.AddIntake();
builder.AddRegistryBus();

var app = builder.Build();
app.MapServiceDefaults();
app.MapIntake();
return await app.RunRegistryAsync(args);
