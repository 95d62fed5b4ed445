using AutoGradRnn.Cli;

return CliApp.Run(args, CliConsole.Create(), Console.Error);
