using System.Runtime.InteropServices;
using AutoGradRnn.Cli;
using Spectre.Console;

// Ctrl-C and SIGTERM ask the run to stop at the next step, after saving its resume file; a second one ends the process at once.
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
}
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return CliApp.Run(args, AnsiConsole.Console, Console.Error, stop.Token);
