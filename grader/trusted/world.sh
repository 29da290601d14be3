# The worker's world, built by root inside the worker's new mount namespace (see world.py).
#
#   sh world.sh ROOT FOLDER SITE SHARED MASK... -- COMMAND...
#
# ROOT becomes a small tmpfs holding only: /usr read-only (the interpreter, the standard
# library, libc, setpriv), the loader's cache, four harmless devices, an empty /tmp of its
# own, NumPy (and the libraries its wheel ships) from SITE at /numpy, read-only, and the
# worker's FOLDER at /work. Each MASK (a folder of installed packages under /usr) is hidden
# under an empty tmpfs. SHARED, when not empty, is bound read-write at its own path (the
# grader's own attack tests collect evidence there). Then COMMAND runs chrooted in ROOT,
# in /work. Every mount lives and dies with the namespace; nothing here touches the host.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
root=$1 folder=$2 site=$3 shared=$4
shift 4
mount -t tmpfs -o mode=0755,size=16m,nosuid,nodev kata-world "$root"
cd "$root"
for link in bin lib lib32 lib64 libx32 sbin; do
    if [ -L "/$link" ]; then ln -s "$(readlink "/$link")" "$link"; fi
done
mkdir usr etc dev tmp work numpy
mount --rbind /usr usr
mount -o remount,bind,ro usr
while [ "$1" != "--" ]; do
    mount -t tmpfs -o ro,size=4k,nosuid,nodev kata-masked "$root$1"
    shift
done
shift
touch etc/ld.so.cache
mount --bind -o ro /etc/ld.so.cache etc/ld.so.cache
for device in null zero random urandom; do
    touch "dev/$device"
    mount --bind "/dev/$device" "dev/$device"
done
mount -t tmpfs -o mode=1777,size=64m,nosuid,nodev kata-tmp tmp
for package in numpy numpy.libs; do
    if [ -d "$site/$package" ]; then
        mkdir "numpy/$package"
        mount --bind -o ro "$site/$package" "numpy/$package"
    fi
done
mount --bind "$folder" work
if [ -n "$shared" ]; then
    mkdir -p "$root$shared"
    mount --bind "$shared" "$root$shared"
fi
exec chroot "$root" /usr/bin/env --chdir=/work "$@"
