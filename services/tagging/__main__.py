from services.tagging.main import main

main()
