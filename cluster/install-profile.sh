#!/usr/bin/env bash
# Make `snakemake --profile slurm` work as typed, from any folder.
#
# Snakemake looks up a bare profile name in ~/.config/snakemake/ (or
# $XDG_CONFIG_HOME/snakemake/) and /etc/xdg/snakemake/. This links this
# repository's profiles/slurm there. It never replaces a profile you already
# have: if that name is taken, it says so and exits with status 1; pass another
# name, e.g. `cluster/install-profile.sh dlgrid-slurm`, then use
# `snakemake --profile dlgrid-slurm`.
set -euo pipefail

name=${1:-slurm}
here=$(cd "$(dirname "$0")" && pwd)
profile=$(cd "$here/../profiles/slurm" && pwd)
config_home=${XDG_CONFIG_HOME:-$HOME/.config}
link=$config_home/snakemake/$name

if [[ -L $link && $(readlink -f "$link") == "$profile" ]]; then
    echo "install-profile: $link already links to $profile"
    exit 0
fi
if [[ -e $link || -L $link ]]; then
    echo "install-profile: $link exists and is not a link to $profile;" \
        "leaving it alone. Install under another name" \
        "(cluster/install-profile.sh dlgrid-slurm) or use" \
        "'snakemake --profile $profile'." >&2
    exit 1
fi

mkdir -p "$(dirname "$link")"
ln -s "$profile" "$link"
echo "install-profile: linked $link -> $profile"
echo "install-profile: now 'snakemake --profile $name' works from this repository"
