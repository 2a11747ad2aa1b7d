from services.publication.main import main

main()
