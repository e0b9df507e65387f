/**
 * The systemd driver's log wrapper. Every driver writes its instances'
 * output in the CRI k8s-file format (`<RFC3339Nano> stdout F text`), which
 * systemd cannot write itself (`StandardOutputFileToAppend` appends raw
 * bytes). So the unit's ExecStart is this tiny Perl program, passed inline
 * with `perl -e` (nothing to install where systemd runs; perl-base is in
 * every Debian), followed by the unit's argv:
 *
 * - systemd opens the log file (as root, append) as the wrapper's stdout
 *   and stderr; the wrapper forks the command with two pipes and writes each
 *   line stamped (`P` parts past 16 KiB), as the process shim does;
 * - it forwards TERM/INT/HUP/QUIT/USR1/USR2/WINCH to the command (the unit
 *   runs with KillMode=mixed: the stop signal goes to the main process — the
 *   wrapper — and SIGKILL to the whole cgroup after the timeout);
 * - it ends as the command ended: the same exit code, or the same signal
 *   raised on itself, so systemd's ExecMainCode/ExecMainStatus describe the
 *   command, not the wrapper.
 * Converting on read was the alternative; it loses stdout/stderr order and
 * the time of each line, and every reader of logs would need to know.
 */

/** The Perl source, passed as `perl -e SOURCE -- ARGV…` (ExecStartEx with no-env-expand: `$`/`${}` stay literal). */
export const LOG_WRAPPER_SOURCE = String.raw`use strict; use Config;
my @sn = split ' ', $Config{sig_name};
my $hr = eval { require Time::HiRes; 1 };
pipe(my $or, my $ow) or die "berth: pipe: $!\n"; pipe(my $er, my $ew) or die "berth: pipe: $!\n";
my $pid = fork(); die "berth: fork: $!\n" unless defined $pid;
if ($pid == 0) {
  close $or; close $er; open(STDOUT, '>&', $ow); open(STDERR, '>&', $ew); close $ow; close $ew;
  exec { $ARGV[0] } @ARGV; print STDERR "berth: cannot run $ARGV[0]: $!\n"; exit 127;
}
close $ow; close $ew; binmode STDOUT; $| = 1;
for my $s (qw(TERM INT HUP QUIT USR1 USR2 WINCH)) { $SIG{$s} = sub { kill $s, $pid }; }
$SIG{PIPE} = 'IGNORE';
my %name = (fileno($or) => 'stdout', fileno($er) => 'stderr');
my %buf = map { $_ => '' } keys %name; my %open = (fileno($or) => $or, fileno($er) => $er);
while (%open) {
  my $rin = ''; vec($rin, $_, 1) = 1 for keys %open;
  my $n = select(my $rout = $rin, undef, undef, undef);
  next if $n < 0;
  for my $fd (sort { $a <=> $b } grep { vec($rout, $_, 1) } keys %open) {
    my $got = sysread($open{$fd}, my $chunk, 65536);
    if (!$got) { next if !defined $got && $!{EINTR}; emit($name{$fd}, 'F', $buf{$fd}) if length $buf{$fd}; close $open{$fd}; delete $open{$fd}; next; }
    $buf{$fd} .= $chunk;
    while ($buf{$fd} =~ s/^([^\n]*)\n//) { emit($name{$fd}, 'F', $1); }
    while (length($buf{$fd}) >= 16384) { emit($name{$fd}, 'P', substr($buf{$fd}, 0, 16384, '')); }
  }
}
my $w; do { $w = waitpid($pid, 0) } while ($w == -1 && $!{EINTR});
my $st = $?;
if ($st & 127) { my $s = $st & 127; $SIG{$sn[$s]} = 'DEFAULT'; kill $s, $$; exit 128 + $s; }
exit($st >> 8);
sub emit {
  my ($stream, $tag, $text) = @_;
  my $t = $hr ? Time::HiRes::time() : time(); my @g = gmtime(int $t);
  printf STDOUT "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ %s %s %s\n", $g[5] + 1900, $g[4] + 1, $g[3], $g[2], $g[1], $g[0],
    int(($t - int $t) * 1e9), $stream, $tag, $text;
}`;
