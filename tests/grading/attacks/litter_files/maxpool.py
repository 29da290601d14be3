import os

for _folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "{{REPO}}", os.path.dirname(os.getcwd())):
    try:
        with open(os.path.join(_folder, f"kata-litter-{os.path.basename('{{MARKERS}}')}"), "w") as _litter:
            _litter.write("left behind\n")
    except OSError:
        pass
