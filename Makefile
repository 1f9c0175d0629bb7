# BotFactory: the two commands. Everything else lives in scripts/.
.PHONY: run test build clean

run:
	@scripts/run.sh

test:
	@scripts/test.sh

build:
	@scripts/setup.sh && scripts/build.sh

clean:
	rm -rf build build-fuzz .run
