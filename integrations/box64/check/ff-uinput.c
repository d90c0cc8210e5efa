// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ff-uinput - a force-feedback input device for fftest, made with uinput
 * and served by this process (native, the guest's own ABI; not under test).
 *
 *   ff-uinput PIDFILE
 *
 * Creates "emucompat FF test" with EV_FF (rumble, periodic/sine, constant,
 * spring, damper, gain) and room for 16 effects, prints its event node
 * (/dev/input/eventN) on stdout once it exists, then, in the background,
 * answers every upload and erase request with success (an unanswered
 * EVIOCSFF would wait for uinput's timeout) until SIGTERM; its pid goes to
 * PIDFILE.  Exit 1 with a message when the device cannot be made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/uinput.h>
#include <sys/ioctl.h>

static int die(const char *what)
{
	fprintf(stderr, "ff-uinput: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	static const int bits[] = { FF_RUMBLE, FF_PERIODIC, FF_SINE, FF_CONSTANT,
				    FF_SPRING, FF_DAMPER, FF_GAIN };
	struct uinput_setup us;
	char sys[64], path[320];
	struct dirent *de;
	struct input_event ev;
	FILE *pf;
	DIR *d;
	pid_t pid;
	int fd, i, tries;

	if (argc != 2) {
		fprintf(stderr, "usage: ff-uinput PIDFILE\n");
		return 2;
	}
	fd = open("/dev/uinput", O_RDWR);
	if (fd < 0)
		return die("/dev/uinput");
	if (ioctl(fd, UI_SET_EVBIT, EV_FF) || ioctl(fd, UI_SET_EVBIT, EV_KEY) ||
	    ioctl(fd, UI_SET_KEYBIT, BTN_GAMEPAD))
		return die("UI_SET_EVBIT");
	for (i = 0; i < (int)(sizeof(bits) / sizeof(bits[0])); i++)
		if (ioctl(fd, UI_SET_FFBIT, bits[i]))
			return die("UI_SET_FFBIT");
	memset(&us, 0, sizeof(us));
	us.id.bustype = BUS_VIRTUAL;
	us.id.vendor = 0x1d6b;
	us.id.product = 0xff;
	us.id.version = 1;
	strcpy(us.name, "emucompat FF test");
	us.ff_effects_max = 16;
	if (ioctl(fd, UI_DEV_SETUP, &us) || ioctl(fd, UI_DEV_CREATE))
		return die("UI_DEV_SETUP/UI_DEV_CREATE");
	if (ioctl(fd, UI_GET_SYSNAME(sizeof(sys)), sys) < 0)
		return die("UI_GET_SYSNAME");
	snprintf(path, sizeof(path), "/sys/devices/virtual/input/%s", sys);
	for (tries = 0; tries < 50; tries++) {
		d = opendir(path);
		while (d && (de = readdir(d)))
			if (!strncmp(de->d_name, "event", 5))
				break;
		if (d && de) {
			snprintf(path, sizeof(path), "/dev/input/%s", de->d_name);
			closedir(d);
			break;
		}
		if (d)
			closedir(d);
		usleep(100000);
	}
	if (tries == 50) {
		errno = ENOENT;
		return die("no event node");
	}
	for (tries = 0; tries < 50 && access(path, R_OK | W_OK); tries++)
		usleep(100000);
	pid = fork();
	if (pid < 0)
		return die("fork");
	if (pid) {
		pf = fopen(argv[1], "w");
		if (!pf)
			return die(argv[1]);
		fprintf(pf, "%d\n", (int)pid);
		fclose(pf);
		printf("%s\n", path);
		return 0;
	}
	signal(SIGTERM, SIG_DFL);
	fclose(stdout);
	while (read(fd, &ev, sizeof(ev)) == sizeof(ev)) {
		if (ev.type != EV_UINPUT)
			continue;
		if (ev.code == UI_FF_UPLOAD) {
			struct uinput_ff_upload up;

			memset(&up, 0, sizeof(up));
			up.request_id = ev.value;
			if (ioctl(fd, UI_BEGIN_FF_UPLOAD, &up))
				continue;
			up.retval = 0;
			ioctl(fd, UI_END_FF_UPLOAD, &up);
		} else if (ev.code == UI_FF_ERASE) {
			struct uinput_ff_erase er;

			memset(&er, 0, sizeof(er));
			er.request_id = ev.value;
			if (ioctl(fd, UI_BEGIN_FF_ERASE, &er))
				continue;
			er.retval = 0;
			ioctl(fd, UI_END_FF_ERASE, &er);
		}
	}
	return 0;
}
