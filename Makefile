# Entry points. `make demo` and `make test` do all set-up on a fresh machine.
MAVEN := mvn -B -ntp -Dstyle.color=never -f java/pom.xml

.PHONY: demo test build native jar test-rust test-standin test-scripts test-java test-e2e stop clean

demo: build
	bash scripts/stack.sh start
	bash scripts/demo-info.sh

build: native jar

native:
	bash scripts/install-deps.sh
	cargo build --release --locked

jar: native
	$(MAVEN) package -DskipTests

test: test-rust test-standin test-scripts test-java test-e2e

test-rust:
	bash scripts/install-deps.sh
	cargo test --locked

test-standin:
	python3 -m pytest standin/tests -q

test-scripts:
	python3 -m pytest scripts/tests -q

# verify runs the unit tests, packages the jar and then runs the integration tests against it.
test-java: native
	$(MAVEN) verify

test-e2e: build
	bash scripts/install-deps.sh --browser
	bash scripts/e2e.sh

stop:
	bash scripts/stack.sh stop

clean: stop
	cargo clean
	$(MAVEN) clean
	rm -rf .run
