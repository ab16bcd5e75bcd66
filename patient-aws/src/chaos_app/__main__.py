from chaos_app.cli import main

main()
