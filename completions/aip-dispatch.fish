# fish completion for aip-dispatch(1).
function __aip_dispatch_ids
  set -l state $AIP_STATE_DIR
  test -n "$state"; or set state (set -q XDG_STATE_HOME; and echo $XDG_STATE_HOME; or echo $HOME/.local/state)/aip
  for f in $state/queue/{new,active,done}/*.json
    basename $f .json
  end
end
set -l cmds submit run status watch cancel logs render
complete -c aip-dispatch -f -n "not __fish_seen_subcommand_from $cmds" -a submit -d 'Queue jobs and submit them'
complete -c aip-dispatch -f -n "not __fish_seen_subcommand_from $cmds" -a run -d 'Run the queue'
complete -c aip-dispatch -f -n "not __fish_seen_subcommand_from $cmds" -a status -d 'Show jobs'
complete -c aip-dispatch -f -n "not __fish_seen_subcommand_from $cmds" -a watch -d 'Print and follow events'
complete -c aip-dispatch -f -n "not __fish_seen_subcommand_from $cmds" -a cancel -d 'Cancel jobs'
complete -c aip-dispatch -f -n "not __fish_seen_subcommand_from $cmds" -a logs -d 'Print a job output'
complete -c aip-dispatch -f -n "not __fish_seen_subcommand_from $cmds" -a render -d 'Print the native form'
complete -c aip-dispatch -s b -l backend -x -a 'local slurm slurmrestd kubernetes nomad htcondor' -d 'Backend'
complete -c aip-dispatch -l qos -x -d 'QOS of a class, CLASS=QOS'
complete -c aip-dispatch -l kill-grace -x -d 'Walltime grace'
complete -c aip-dispatch -l limits -r -F -d 'Site limits file'
complete -c aip-dispatch -l state-dir -x -a '(__fish_complete_directories)' -d 'State folder'
complete -c aip-dispatch -s o -l output -r -F -d 'Output file'
complete -c aip-dispatch -s h -l help -d 'Help'
complete -c aip-dispatch -n '__fish_seen_subcommand_from run' -l once -d 'One round'
complete -c aip-dispatch -n '__fish_seen_subcommand_from run' -l follow -d 'Run until interrupted'
complete -c aip-dispatch -n '__fish_seen_subcommand_from run' -l until-idle -d 'Until nothing is queued or running'
complete -c aip-dispatch -n '__fish_seen_subcommand_from run' -l interval -x -d 'Time between rounds'
complete -c aip-dispatch -n '__fish_seen_subcommand_from run' -l grace -x -d 'Preemption grace'
complete -c aip-dispatch -n '__fish_seen_subcommand_from run' -l fairshare -r -F -d 'Fair-share file'
complete -c aip-dispatch -n '__fish_seen_subcommand_from submit' -l wait -d 'Until the queue is idle'
complete -c aip-dispatch -n '__fish_seen_subcommand_from status' -l all -d 'Ended jobs too'
complete -c aip-dispatch -n '__fish_seen_subcommand_from status' -s f -l format -x -a 'jsonl table csv json' -d 'Format'
complete -c aip-dispatch -n '__fish_seen_subcommand_from watch' -l no-follow -d 'Print and exit'
complete -c aip-dispatch -n '__fish_seen_subcommand_from logs' -l err -d 'Standard error'
complete -c aip-dispatch -f -n '__fish_seen_subcommand_from status watch cancel logs' -a '(__aip_dispatch_ids)'
