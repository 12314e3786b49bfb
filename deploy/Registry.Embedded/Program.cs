using Registry.Embedded;

var app = EmbeddedHost.Build(args);
app.Run();
