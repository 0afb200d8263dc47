# fish completion for aip(1), the front of the aip tools.
#
# Completes the front's options (--help, --version, --exec-path), `help`, and tool names:
# every executable aip-* in the folder of the aip executable (`aip --exec-path`) and on
# PATH, or, when none is found, the seven tools that ship with aip.
#
# After the tool name, completion is handed to the completions of the command aip-TOOL
# (complete -c aip-TOOL ..., e.g. in aip-drift.fish), as if aip-TOOL had been typed;
# without any, file names are completed.

function __aip_tools --description 'Print the aip tools installed, one per line'
    set -l names
    for dir in (command aip --exec-path 2>/dev/null) $PATH
        test -n "$dir" -a -d "$dir"; or continue
        for file in $dir/aip-*
            test -f $file -a -x $file; or continue
            set -l name (string replace -r '^.*/aip-' '' -- $file)
            contains -- $name $names; or set -a names $name
        end
    end
    if test (count $names) -eq 0
        set names submit dispatch meter account drift catalog sqa-check
    end
    for name in $names
        switch $name
            case submit
                printf '%s\t%s\n' $name 'Build and validate a job'
            case dispatch
                printf '%s\t%s\n' $name 'Queue jobs and run them on a batch backend'
            case meter
                printf '%s\t%s\n' $name 'Sample the resource use of running jobs'
            case account
                printf '%s\t%s\n' $name 'Aggregate, store and export usage records'
            case drift
                printf '%s\t%s\n' $name 'Test current data against reference data for drift'
            case catalog
                printf '%s\t%s\n' $name 'Validate, index and render a catalog of ML modules'
            case sqa-check
                printf '%s\t%s\n' $name 'Assess a repository against the SQA baseline'
            case '*'
                printf '%s\t%s\n' $name "Site tool aip-$name"
        end
    end
end

# True while the word being completed is the first after aip.
function __aip_needs_tool
    test (count (commandline -opc)) -eq 1
end

# True while completing the word after `aip help`.
function __aip_needs_help_topic
    set -l words (commandline -opc)
    test (count $words) -eq 2 -a "$words[2]" = help
end

# True once a tool name has been given.
function __aip_has_tool
    set -l words (commandline -opc)
    test (count $words) -ge 2; or return 1
    test "$words[2]" != help; and not string match -q -- '-*' $words[2]
end

# Completes the rest of the line as the command aip-TOOL.
function __aip_complete_tool
    set -l words (commandline -opc)
    set words[1] aip-$words[2]
    set -e words[2]
    set -l line (string join ' ' -- (string escape -- $words) (commandline -ct))
    complete -C "$line"
end

complete -c aip -f
complete -c aip -n __aip_needs_tool -s h -l help -d 'List the installed tools and exit'
complete -c aip -n __aip_needs_tool -l version -d 'Print the version of aip and exit'
complete -c aip -n __aip_needs_tool -l exec-path -d 'Print the folder searched first for tools and exit'
complete -c aip -n __aip_needs_tool -a help -d 'Open the manual page of aip or of a tool'
complete -c aip -n __aip_needs_tool -a '(__aip_tools)'
complete -c aip -n __aip_needs_help_topic -a '(__aip_tools)'
complete -c aip -n __aip_has_tool -a '(__aip_complete_tool)'
