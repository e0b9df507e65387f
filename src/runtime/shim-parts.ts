/**
 * What the process and VM shims (small detached Perl monitors, see
 * process/shim.ts and vm/shim.ts) have in common: the loop that reads the
 * child's stdout/stderr and hands each line to the shim's own `line` sub,
 * and how a driver reads the shim's one reply on stdout.
 */
import type { ChildProcess } from 'node:child_process';

/**
 * Perl: declares `%name`, `%buf`, `%open` over the pipes `$or`/`$er`, and
 * `pump()`, which waits up to 0.25 s for output and calls
 * `line(STREAM, 'F'|'P', TEXT)` per line (a line over 16 KiB in `P` parts,
 * a last unterminated line at EOF as `F`); returns the fds that were ready.
 * The including shim defines `line` and loops `while (%open)`.
 */
export const PERL_OUTPUT_PUMP = String.raw`my %name = (fileno($or) => 'stdout', fileno($er) => 'stderr');
my %buf = (fileno($or) => '', fileno($er) => '');
my %open = (fileno($or) => $or, fileno($er) => $er);
sub pump {
  my $rin = ''; vec($rin, $_, 1) = 1 for keys %open;
  my $n = select(my $rout = $rin, undef, undef, 0.25);
  my @ready = $n > 0 ? sort { $a <=> $b } grep { vec($rout, $_, 1) } keys %open : ();
  for my $fd (@ready) {
    my $fh = $open{$fd};
    my $got = sysread($fh, my $chunk, 65536);
    if (!$got) { line($name{$fd}, 'F', $buf{$fd}) if length $buf{$fd}; delete $open{$fd}; close $fh; next; }
    $buf{$fd} .= $chunk;
    while ($buf{$fd} =~ s/^([^\n]*)\n//) { line($name{$fd}, 'F', $1); }
    while (length($buf{$fd}) >= 16384) { line($name{$fd}, 'P', substr($buf{$fd}, 0, 16384, '')); }
  }
  return @ready;
}`;

/** The shim's one line on stdout (`started PID` / `error TEXT`; '' when it exits without one). */
export function readShimFirstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => { child.stdout?.destroy(); resolve(text.split('\n')[0]!.trim()); };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => { text += d; if (text.includes('\n')) done(); });
    child.stdout!.on('end', done);
    child.on('error', (e) => { text = `error ${e.message}`; done(); });
  });
}
