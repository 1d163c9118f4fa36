fn main() -> std::process::ExitCode {
    warroom::sources::answer::limit_malloc_arenas();
    warroom::cli::main()
}
