using System.Runtime.InteropServices;
using AutoGradRnn.Cli;

// During training, Ctrl-C and SIGTERM ask the run to stop at the next step after saving its resume file; a second
// one ends the process at once. Other commands keep the default (end at once).
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
}
bool training = args is ["train-char" or "forecast" or "classify" or "long-memory", ..];
using var interrupt = training ? PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop) : null;
using var terminate = training ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop) : null;
return CliApp.Run(args, CliConsole.Create(), Console.Error, stop.Token);
